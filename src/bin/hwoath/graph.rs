//! `variants`, `graph`, `reconcile`. Filled in by the Graph work.
use crate::Unusable;
use clap::Args;
use std::process::ExitCode;
#[derive(Args)]
pub struct VariantsArgs {
    file: String,
}
#[derive(Args)]
pub struct GraphArgs {
    file: String,
}
#[derive(Args)]
pub struct ReconcileArgs {
    file: String,
    response: String,
}
pub fn variants(_a: &VariantsArgs) -> Result<ExitCode, Unusable> {
    Err(Unusable("variants: not built yet".into()))
}
pub fn graph(_a: &GraphArgs) -> Result<ExitCode, Unusable> {
    Err(Unusable("graph: not built yet".into()))
}
pub fn reconcile(_a: &ReconcileArgs) -> Result<ExitCode, Unusable> {
    Err(Unusable("reconcile: not built yet".into()))
}
