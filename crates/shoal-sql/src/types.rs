//! SQL type names → Arrow data types (DuckDB's names and defaults).

use arrow::datatypes::{DataType, TimeUnit, DECIMAL128_MAX_PRECISION};
use shoal_common::{not_supported, plan_err, Result};
use sqlparser::ast::{DataType as SqlType, ExactNumberInfo, TimezoneInfo};

/// The Arrow type for a SQL type name, e.g. `DECIMAL(15,2)` → `Decimal128(15, 2)`.
///
/// ```
/// use arrow::datatypes::DataType;
/// use sqlparser::ast::{DataType as SqlType, ExactNumberInfo};
/// let t = shoal_sql::sql_type_to_arrow(&SqlType::Decimal(ExactNumberInfo::None)).unwrap();
/// assert_eq!(t, DataType::Decimal128(18, 3));
/// ```
pub fn sql_type_to_arrow(t: &SqlType) -> Result<DataType> {
    use SqlType as S;
    Ok(match t {
        S::Boolean | S::Bool => DataType::Boolean,
        S::TinyInt(_) => DataType::Int8,
        S::SmallInt(_) | S::Int2(_) | S::Int16 => DataType::Int16,
        S::Int(_) | S::Integer(_) | S::Int4(_) | S::Int32 | S::Signed | S::SignedInteger => DataType::Int32,
        S::BigInt(_) | S::Int8(_) | S::Int64 => DataType::Int64,
        S::UTinyInt | S::TinyIntUnsigned(_) | S::UInt8 => DataType::UInt8,
        S::USmallInt | S::SmallIntUnsigned(_) | S::Int2Unsigned(_) | S::UInt16 => DataType::UInt16,
        S::IntUnsigned(_)
        | S::IntegerUnsigned(_)
        | S::Int4Unsigned(_)
        | S::UInt32
        | S::Unsigned
        | S::UnsignedInteger => DataType::UInt32,
        S::UBigInt | S::BigIntUnsigned(_) | S::Int8Unsigned(_) | S::UInt64 => DataType::UInt64,
        S::Real | S::Float4 | S::Float32 => DataType::Float32,
        S::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => DataType::Float32,
        S::Float(_) | S::Double(_) | S::DoublePrecision | S::Float8 | S::Float64 => DataType::Float64,
        S::Decimal(info) | S::Numeric(info) | S::Dec(info) => decimal_type(info)?,
        S::Varchar(_)
        | S::Nvarchar(_)
        | S::Char(_)
        | S::Character(_)
        | S::CharacterVarying(_)
        | S::CharVarying(_)
        | S::Text
        | S::String(_) => DataType::Utf8,
        S::Date => DataType::Date32,
        S::Timestamp(None | Some(6), TimezoneInfo::None | TimezoneInfo::WithoutTimeZone)
        | S::Datetime(None) => DataType::Timestamp(TimeUnit::Microsecond, None),
        S::Timestamp(None | Some(6), TimezoneInfo::Tz | TimezoneInfo::WithTimeZone) => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
        S::Interval { fields: None, .. } => DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano),
        S::Custom(name, args) if args.is_empty() => custom_type(&name.to_string())?,
        other => return not_supported!("the SQL type {other}"),
    })
}

/// DuckDB type names sqlparser does not know.
fn custom_type(name: &str) -> Result<DataType> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "UINTEGER" => DataType::UInt32,
        "INT1" => DataType::Int8,
        "FLOAT4" => DataType::Float32,
        "TIMESTAMP_US" => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => return not_supported!("the SQL type {name}"),
    })
}

/// `DECIMAL`, `DECIMAL(p)`, `DECIMAL(p, s)`; bare DECIMAL is DECIMAL(18,3) as in DuckDB.
fn decimal_type(info: &ExactNumberInfo) -> Result<DataType> {
    let (precision, scale) = match info {
        ExactNumberInfo::None => (18, 3),
        ExactNumberInfo::Precision(p) => (*p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    if precision == 0 || precision > DECIMAL128_MAX_PRECISION as u64 {
        return plan_err!(
            "DECIMAL precision must be between 1 and {DECIMAL128_MAX_PRECISION}, got {precision}"
        );
    }
    if scale < 0 || scale as u64 > precision {
        return plan_err!("DECIMAL scale must be between 0 and the precision {precision}, got {scale}");
    }
    Ok(DataType::Decimal128(precision as u8, scale as i8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duckdb_names() {
        use SqlType as S;
        assert_eq!(sql_type_to_arrow(&S::Int(None)).unwrap(), DataType::Int32);
        assert_eq!(sql_type_to_arrow(&S::Float(ExactNumberInfo::None)).unwrap(), DataType::Float64);
        assert_eq!(sql_type_to_arrow(&S::Float4).unwrap(), DataType::Float32);
        assert_eq!(
            sql_type_to_arrow(&S::Decimal(ExactNumberInfo::PrecisionAndScale(15, 2))).unwrap(),
            DataType::Decimal128(15, 2)
        );
        assert!(sql_type_to_arrow(&S::Decimal(ExactNumberInfo::PrecisionAndScale(50, 2))).is_err());
        assert_eq!(
            sql_type_to_arrow(&S::Timestamp(None, TimezoneInfo::Tz)).unwrap(),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert!(sql_type_to_arrow(&S::Blob(None)).is_err());
    }
}
