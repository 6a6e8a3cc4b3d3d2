//! Human-readable byte sizes: [`parse_byte_size`] reads `512MB`, `2GiB`, `75%` (of physical
//! memory); [`format_bytes`] prints `12.3MiB`.

use crate::error::{Result, ShoalError};

const UNITS: [(&str, u64); 13] = [
    ("b", 1),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("tb", 1_000_000_000_000),
    ("kib", 1 << 10),
    ("mib", 1 << 20),
    ("gib", 1 << 30),
    ("tib", 1 << 40),
    ("k", 1 << 10),
    ("m", 1 << 20),
    ("g", 1 << 30),
    ("t", 1 << 40),
];

/// Parse a size such as `512MB`, `1.5 GiB`, `4096` (bytes) or `75%` (of physical memory).
///
/// `KB/MB/GB/TB` are powers of 1000 and `KiB/MiB/GiB/TiB` (or `K/M/G/T`) powers of 1024, as in
/// DuckDB; case does not matter.
///
/// ```
/// use shoal_common::byte_size::parse_byte_size;
/// assert_eq!(parse_byte_size("512MB").unwrap(), 512_000_000);
/// assert_eq!(parse_byte_size("2GiB").unwrap(), 2 << 30);
/// assert!(parse_byte_size("lots").is_err());
/// ```
pub fn parse_byte_size(text: &str) -> Result<usize> {
    let trimmed = text.trim();
    if let Some(percent) = trimmed.strip_suffix('%') {
        let share: f64 = percent.trim().parse().map_err(|_| size_error(text, "not a number before '%'"))?;
        if !(share > 0.0 && share <= 100.0) {
            return Err(size_error(text, "a percentage must be above 0 and at most 100"));
        }
        let total = physical_memory()?;
        return Ok((total as f64 * share / 100.0) as usize);
    }
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    if number.is_empty() {
        return Err(size_error(text, "expected a number first"));
    }
    let value: f64 = number.parse().map_err(|_| size_error(text, "not a number"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier = if unit.is_empty() {
        1
    } else {
        UNITS.iter().find(|(name, _)| *name == unit).map(|(_, m)| *m).ok_or_else(|| {
            size_error(
                text,
                &format!("unknown unit '{unit}' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB or %)"),
            )
        })?
    };
    let bytes = value * multiplier as f64;
    if !bytes.is_finite() || bytes >= usize::MAX as f64 {
        return Err(size_error(text, "too large"));
    }
    if bytes < 1.0 {
        return Err(size_error(text, "a size must be at least 1 byte"));
    }
    Ok(bytes as usize)
}

fn size_error(text: &str, why: &str) -> ShoalError {
    ShoalError::Plan {
        message: format!("invalid size '{text}': {why}; expected e.g. '512MB', '2GiB' or '75%'"),
        span: None,
    }
}

/// Total physical memory in bytes (from `/proc/meminfo`), for percentage sizes.
pub fn physical_memory() -> Result<usize> {
    let path = "/proc/meminfo";
    let text =
        std::fs::read_to_string(path).map_err(|source| ShoalError::Io { path: path.into(), source })?;
    let kib = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<usize>().ok());
    match kib {
        Some(kib) => Ok(kib.saturating_mul(1024)),
        None => Err(ShoalError::Execution(format!("cannot read the total memory from {path}"))),
    }
}

/// A byte count in the most readable binary unit (`812B`, `12.3KiB`, `1.50GiB`).
pub fn format_bytes(bytes: usize) -> String {
    const NAMES: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < NAMES.len() {
        value /= 1024.0;
        unit += 1;
    }
    let name = NAMES.get(unit).copied().unwrap_or("TiB");
    if value >= 100.0 {
        format!("{value:.0}{name}")
    } else {
        format!("{value:.1}{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_byte_size("4096").unwrap(), 4096);
        assert_eq!(parse_byte_size("1kb").unwrap(), 1000);
        assert_eq!(parse_byte_size(" 1.5 GiB ").unwrap(), 3 << 29);
        assert_eq!(parse_byte_size("64M").unwrap(), 64 << 20);
        assert_eq!(parse_byte_size("2TB").unwrap(), 2_000_000_000_000);
    }

    #[test]
    fn rejects_bad_sizes_with_reason() {
        let msg = |s: &str| parse_byte_size(s).unwrap_err().to_string();
        assert!(msg("").contains("expected a number first"));
        assert!(msg("12XB").contains("unknown unit 'xb'"));
        assert!(msg("GB").contains("expected a number first"));
        assert!(msg("1.2.3MB").contains("not a number"));
        assert!(msg("0").contains("at least 1 byte"));
        assert!(msg("150%").contains("at most 100"));
        assert!(msg("-5MB").contains("invalid size '-5MB'"));
    }

    #[test]
    fn percentage_of_physical_memory() {
        if let Ok(total) = physical_memory() {
            let half = parse_byte_size("50%").unwrap();
            assert!(half <= total / 2 + 1 && half + 1 >= total / 2);
        }
    }

    #[test]
    fn formats_bytes() {
        assert_eq!(format_bytes(812), "812B");
        assert_eq!(format_bytes(1536), "1.5KiB");
        assert_eq!(format_bytes(12 << 20), "12.0MiB");
        assert_eq!(format_bytes(300 << 30), "300GiB");
    }
}
