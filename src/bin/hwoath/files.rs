//! `validate` and `normalize` (token files). Filled in by the token-file work.
use crate::Unusable;
use clap::Args;
use std::process::ExitCode;
#[derive(Args)]
pub struct ValidateArgs {
    files: Vec<String>,
}
#[derive(Args)]
pub struct NormalizeArgs {
    file: String,
}
pub fn validate(_a: &ValidateArgs) -> Result<ExitCode, Unusable> {
    Err(Unusable("validate: not built yet".into()))
}
pub fn normalize(_a: &NormalizeArgs) -> Result<ExitCode, Unusable> {
    Err(Unusable("normalize: not built yet".into()))
}
