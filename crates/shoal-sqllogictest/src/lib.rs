//! sqllogictest runner for shoal: testdata/*.slt at several thread counts, and any .slt/.test file.
