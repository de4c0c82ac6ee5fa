//! The pure-Rust core: base32 secrets, HOTP/TOTP, verification and drift search, token files and
//! their validation, duplicate-safe variants, Graph requests and the mapping of Graph's answers.
//!
//! Nothing in here reads a clock, a file or the network: the caller passes time and text in.

pub mod otp;
pub mod secret;

pub use otp::{
    DriftCandidate, DriftReport, EntraFit, Generator, HashAlg, OtpError, OtpParams, VerifyResult,
};
pub use secret::{ParsedSecret, Secret, SecretError, SecretIssue, SecretIssueKind, Severity};
pub use token::GraphHash;
pub mod diag;
pub mod graph;
pub mod limits;
pub mod text;
pub mod token;
pub mod tokenfile;
pub mod variants;
pub mod wipe;
