//! A CSV upload: reading it never panics; under the guessed mapping every row is either
//! taken or refused with its row number and at least one reason.
#![no_main]

use app::imports::table::{check, guess, read, Directory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = read(data) else { return };
    assert_eq!(table.rows.len(), table.numbers.len());
    assert!(table.rows.iter().all(|r| r.len() == table.header.len()));
    let directory = Directory {
        stages: vec![(1, "New".into(), "open".into()), (2, "Won".into(), "won".into())],
        people: vec![(1, "Ana Lopez".into(), "ana@example.com".into())],
        region: "ES".into(),
        currency: "EUR".into(),
    };
    if let Ok(rows) = check(&table, &guess(&table.header), &directory) {
        assert_eq!(rows.len(), table.rows.len());
        for row in rows {
            if let Err(problem) = row {
                assert!(problem.number >= 2 && !problem.reasons.is_empty());
            }
        }
    }
});
