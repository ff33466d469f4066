//! Calendar arithmetic on proleptic Gregorian dates in UTC, in whole minutes since 1970: all the
//! generator needs (DTGs, Julian filing days, declassification dates), without a time zone
//! database.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// A moment to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minute(pub i64);

impl Minute {
    #[cfg(test)]
    pub fn from_civil(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> Minute {
        Minute(days_from_civil(y, m, d) * 1440 + i64::from(hh) * 60 + i64::from(mm))
    }

    /// (year, month, day, hour, minute).
    pub fn parts(self) -> (i32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(1440);
        let rem = self.0.rem_euclid(1440);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, (rem / 60) as u32, (rem % 60) as u32)
    }

    /// Day of the year, 1-based.
    pub fn day_of_year(self) -> u32 {
        let (y, _, _, _, _) = self.parts();
        (self.0.div_euclid(1440) - days_from_civil(y, 1, 1) + 1) as u32
    }

    /// RFC 3339 UTC, as the parser writes dates: `2009-08-04T14:57:00Z`.
    pub fn rfc3339(self) -> String {
        let (y, m, d, hh, mm) = self.parts();
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:00Z")
    }

    /// The same day at midnight.
    pub fn midnight(self) -> Minute {
        Minute(self.0.div_euclid(1440) * 1440)
    }
}

pub const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (y, m, d) in [
            (1966, 12, 28),
            (2000, 2, 29),
            (2009, 8, 4),
            (2010, 2, 28),
            (1970, 1, 1),
        ] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 2), 1);
    }

    #[test]
    fn julian_day_and_rfc3339() {
        let t = Minute::from_civil(2009, 8, 4, 14, 57);
        assert_eq!(t.day_of_year(), 216);
        assert_eq!(t.rfc3339(), "2009-08-04T14:57:00Z");
        assert_eq!(t.midnight().rfc3339(), "2009-08-04T00:00:00Z");
        assert!(is_leap(2008) && !is_leap(2010) && is_leap(2000) && !is_leap(1900));
    }
}
