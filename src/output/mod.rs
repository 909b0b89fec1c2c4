//! Outputs: CSV files, the resolved scenarios, the terminal table (and charts and report).
//! Every file is written atomically (see [`atomic`]).

pub mod atomic;
pub mod csv;
pub mod table;
