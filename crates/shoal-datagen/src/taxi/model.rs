//! The statistical model of one taxi trip: when, where, how far, and what it cost.
//!
//! Shapes follow the published TLC yellow-taxi data of 2022–2024: an hour-of-day profile with an
//! evening peak, log-normal durations and speeds, pickups concentrated in a few dozen Manhattan
//! and airport zones, tips recorded almost only for card payments, and about 2.5% of records
//! from the "unknown" feed where passenger count, rate code, store-and-forward flag,
//! congestion surcharge and airport fee are all NULL and payment type is 0.

use crate::rng::SplitMix64;

/// Days since 1970-01-01 of 2022-01-01, the first pickup day.
pub(crate) const FIRST_DAY: i64 = 18_993;
/// Number of pickup days: 2022-01-01 ..= 2024-12-31.
pub(crate) const DAYS: u64 = 365 + 365 + 366;
const DAY_2023: i64 = FIRST_DAY + 365;
#[cfg(test)]
const DAY_2024: i64 = DAY_2023 + 365;
const MICROS_PER_SECOND: i64 = 1_000_000;

/// Relative number of pickups in each hour of the day (0h..23h).
const HOUR_PROFILE: [f64; 24] = [
    2.8, 1.9, 1.3, 0.9, 0.7, 0.8, 1.9, 3.4, 4.3, 4.4, 4.6, 4.9, 5.2, 5.3, 5.8, 6.0, 6.0, 6.6, 6.9, 6.2, 5.4,
    5.3, 4.8, 3.8,
];

/// The busiest zones, most popular first (Manhattan neighbourhoods plus JFK and LaGuardia).
const POPULAR_ZONES: [i32; 30] = [
    237, 161, 236, 162, 230, 186, 132, 142, 170, 163, 239, 234, 68, 138, 141, 48, 79, 107, 140, 249, 238,
    164, 113, 90, 100, 229, 43, 263, 262, 151,
];
/// Zipf-like weights over the popular zones: the i-th has weight 1 / (i + 3).
const POPULAR_WEIGHTS: [f64; POPULAR_ZONES.len()] = popular_weights();
const fn popular_weights() -> [f64; POPULAR_ZONES.len()] {
    let mut weights = [0.0; POPULAR_ZONES.len()];
    let mut i = 0;
    while i < weights.len() {
        weights[i] = 1.0 / (i as f64 + 3.0);
        i += 1;
    }
    weights
}
const JFK: i32 = 132;
const LAGUARDIA: i32 = 138;
/// Number of TLC taxi zones (ids 1..=265).
pub(crate) const ZONES: u64 = 265;

const VENDOR_IDS: [i32; 3] = [1, 2, 6];
const VENDOR_WEIGHTS: [f64; 3] = [0.27, 0.725, 0.005];
const PASSENGER_WEIGHTS: [f64; 7] = [0.02, 0.74, 0.14, 0.035, 0.02, 0.03, 0.015];
const RATECODES: [i64; 5] = [1, 3, 4, 5, 99];
const RATECODE_WEIGHTS: [f64; 5] = [0.965, 0.003, 0.002, 0.025, 0.005];
const PAYMENT_TYPES: [i64; 4] = [1, 2, 3, 4];
const PAYMENT_WEIGHTS: [f64; 4] = [0.76, 0.21, 0.015, 0.015];
const TIP_SHARES: [f64; 6] = [0.15, 0.18, 0.20, 0.22, 0.25, 0.30];
const TIP_SHARE_WEIGHTS: [f64; 6] = [0.15, 0.2, 0.35, 0.1, 0.15, 0.05];

/// Share of records from the feed with NULL passenger count, rate code, flag and surcharges.
const UNKNOWN_FEED_SHARE: f64 = 0.025;

/// One generated trip, column by column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Trip {
    pub vendor_id: i32,
    pub pickup_us: i64,
    pub dropoff_us: i64,
    pub passenger_count: Option<i64>,
    pub trip_distance: f64,
    pub ratecode_id: Option<i64>,
    pub store_and_fwd_flag: Option<&'static str>,
    pub pu_location_id: i32,
    pub do_location_id: i32,
    pub payment_type: i64,
    pub fare_amount: f64,
    pub extra: f64,
    pub mta_tax: f64,
    pub tip_amount: f64,
    pub tolls_amount: f64,
    pub improvement_surcharge: f64,
    pub total_amount: f64,
    pub congestion_surcharge: Option<f64>,
    pub airport_fee: Option<f64>,
}

/// Round a money amount to cents.
pub(crate) fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn zone(rng: &mut SplitMix64, popular_share: f64) -> i32 {
    if rng.chance(popular_share) {
        POPULAR_ZONES[rng.weighted(&POPULAR_WEIGHTS)]
    } else {
        1 + rng.below(ZONES) as i32
    }
}

fn is_airport(zone: i32) -> bool {
    zone == JFK || zone == LAGUARDIA
}

fn is_manhattan_core(zone: i32) -> bool {
    !is_airport(zone) && POPULAR_ZONES.contains(&zone)
}

/// Generate the trip of one row from its own random stream.
pub(crate) fn generate_trip(rng: &mut SplitMix64) -> Trip {
    let vendor_id = VENDOR_IDS[rng.weighted(&VENDOR_WEIGHTS)];
    let day = FIRST_DAY + rng.below(DAYS) as i64;
    let hour = rng.weighted(&HOUR_PROFILE) as i64;
    let second_of_hour = rng.below(3600) as i64;
    let pickup_s = day * 86_400 + hour * 3600 + second_of_hour;
    let weekday = (day + 4).rem_euclid(7); // 0 = Sunday (1970-01-01 was a Thursday)
    let year_2022 = day < DAY_2023;

    let pu = zone(rng, 0.75);
    let do_ = zone(rng, 0.65);
    let airport_trip = is_airport(pu) || is_airport(do_);

    let (duration_min, speed_mph) = if airport_trip {
        (rng.lognormal(35.0, 0.35), rng.lognormal(22.0, 0.25))
    } else {
        (rng.lognormal(12.0, 0.6), rng.lognormal(11.0, 0.35))
    };
    let duration_s = (duration_min.clamp(1.0, 180.0) * 60.0).round() as i64;
    let trip_distance = if rng.chance(0.01) { 0.0 } else { cents(duration_s as f64 / 3600.0 * speed_mph) };

    let ratecode = if pu == JFK && rng.chance(0.5) { 2 } else { RATECODES[rng.weighted(&RATECODE_WEIGHTS)] };
    let fare_amount = match ratecode {
        2 => 70.0,
        5 => cents(rng.lognormal(60.0, 0.5)),
        _ => cents(3.0 + 2.5 * trip_distance + 0.35 * duration_s as f64 / 60.0),
    };
    let weekday_rush = (1..=5).contains(&weekday) && (16..20).contains(&hour);
    let extra = if weekday_rush {
        2.5
    } else if !(6..20).contains(&hour) {
        1.0
    } else {
        0.0
    };
    let mta_tax = 0.5;
    let improvement_surcharge = if year_2022 { 0.3 } else { 1.0 };
    let tolls_amount = if rng.chance(if airport_trip { 0.3 } else { 0.03 }) {
        if year_2022 {
            6.55
        } else {
            6.94
        }
    } else {
        0.0
    };
    let unknown_feed = rng.chance(UNKNOWN_FEED_SHARE);
    // The unknown feed records no congestion surcharge or airport fee (NULL, counted as 0).
    let congestion = if unknown_feed {
        0.0
    } else if is_manhattan_core(pu) || is_manhattan_core(do_) {
        2.5
    } else {
        0.0
    };
    let airport_fee = if unknown_feed {
        0.0
    } else if is_airport(pu) {
        if year_2022 {
            1.25
        } else {
            1.75
        }
    } else {
        0.0
    };
    let payment_type = if unknown_feed { 0 } else { PAYMENT_TYPES[rng.weighted(&PAYMENT_WEIGHTS)] };
    let tips = match payment_type {
        1 => rng.chance(0.85),
        0 => rng.chance(0.4),
        _ => false,
    };
    let base = fare_amount + extra + mta_tax + improvement_surcharge + tolls_amount + congestion;
    let tip_amount = if tips { cents(base * TIP_SHARES[rng.weighted(&TIP_SHARE_WEIGHTS)]) } else { 0.0 };
    let total_amount = cents(base + airport_fee + tip_amount);
    let store_and_fwd_flag = if rng.chance(0.005) { "Y" } else { "N" };
    let passenger_count = rng.weighted(&PASSENGER_WEIGHTS) as i64;

    Trip {
        vendor_id,
        pickup_us: pickup_s * MICROS_PER_SECOND,
        dropoff_us: (pickup_s + duration_s) * MICROS_PER_SECOND,
        passenger_count: (!unknown_feed).then_some(passenger_count),
        trip_distance,
        ratecode_id: (!unknown_feed).then_some(ratecode),
        store_and_fwd_flag: (!unknown_feed).then_some(store_and_fwd_flag),
        pu_location_id: pu,
        do_location_id: do_,
        payment_type,
        fare_amount,
        extra,
        mta_tax,
        tip_amount,
        tolls_amount,
        improvement_surcharge,
        total_amount,
        congestion_surcharge: (!unknown_feed).then_some(congestion),
        airport_fee: (!unknown_feed).then_some(airport_fee),
    }
}

/// The year of `day` (days since the epoch), for days in the generated range.
#[cfg(test)]
pub(crate) fn year_of_day(day: i64) -> i32 {
    if day < DAY_2023 {
        2022
    } else if day < DAY_2024 {
        2023
    } else {
        2024
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_are_self_consistent() {
        for row in 0..5_000 {
            let trip = generate_trip(&mut SplitMix64::for_row(1, row));
            assert!(trip.dropoff_us > trip.pickup_us);
            assert!(trip.trip_distance >= 0.0);
            assert!((1..=265).contains(&trip.pu_location_id));
            assert!((1..=265).contains(&trip.do_location_id));
            let parts = trip.fare_amount
                + trip.extra
                + trip.mta_tax
                + trip.tip_amount
                + trip.tolls_amount
                + trip.improvement_surcharge
                + trip.congestion_surcharge.unwrap_or(0.0)
                + trip.airport_fee.unwrap_or(0.0);
            assert!((parts - trip.total_amount).abs() < 0.011, "{trip:?}");
            assert_eq!(trip.passenger_count.is_none(), trip.payment_type == 0);
            if trip.payment_type >= 2 {
                assert_eq!(trip.tip_amount, 0.0);
            }
            let day = trip.pickup_us / 86_400_000_000;
            assert!((2022..=2024).contains(&year_of_day(day)));
        }
    }

    #[test]
    fn same_row_same_trip() {
        let a = generate_trip(&mut SplitMix64::for_row(5, 123));
        let b = generate_trip(&mut SplitMix64::for_row(5, 123));
        let c = generate_trip(&mut SplitMix64::for_row(6, 123));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
