//! The OpenAPI 3 document of the JSON API, generated from the code with utoipa and served at
//! `/api/openapi.json`.
