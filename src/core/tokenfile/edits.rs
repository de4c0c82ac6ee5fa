//! Changes an admin makes to an upload's records before sending it (fix invalid records in
//! place): values typed for a record's fields, which replace the file's, and records left out.
//!
//! Edits are applied while the upload is validated ([`super::validate_edited`]): a typed value is
//! checked by the same rules as a value read from a file (a typed `timeIntervalInSeconds` of 45 is
//! HW110, a typed duplicate serial HW301), the whole upload is checked again (duplicates appear and
//! disappear), and record numbers do not move. A removed record stays in [`super::Report::records`]
//! with [`super::Record::removed`] set: it has no findings, takes part in no duplicate check and is
//! neither valid nor invalid. Findings about a typed value point at the field it replaces in the
//! file (or at the record's start when the file had no such field), since the value itself is in
//! no file. A record the file could not read as one (HW004, HW010) can only be removed.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroizing;

use super::item::Val;

/// Fields a value can be typed for: every writable field but `@contentId` (records are numbered
/// on normalisation anyway).
pub const EDITABLE_FIELDS: [&str; 8] = [
    "serialNumber",
    "manufacturer",
    "model",
    "secretKey",
    "timeIntervalInSeconds",
    "hashFunction",
    "displayName",
    "assignTo",
];

/// A value typed for a field. Both forms are wiped on drop (a typed `secretKey` is a key);
/// `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub enum Typed {
    /// Text, read as a JSON string would be (`assignTo` as the user's id or UPN; an empty text
    /// clears `displayName` and `assignTo`).
    Text(Zeroizing<String>),
    /// A number, kept as the text of a JSON number (`30`, `45.5`).
    Number(Zeroizing<String>),
}

impl Typed {
    /// Text typed for a field.
    pub fn text(s: impl Into<String>) -> Typed {
        Typed::Text(Zeroizing::new(s.into()))
    }

    /// A finite number typed for a field (whole numbers are written without a fraction); `None`
    /// for NaN and the infinities, which no JSON number can hold.
    pub fn number(v: f64) -> Option<Typed> {
        if !v.is_finite() {
            return None;
        }
        let text = if v.fract() == 0.0 && v.abs() < 9.0e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        };
        Some(Typed::Number(Zeroizing::new(text)))
    }

    /// The value as the rules see it.
    pub(crate) fn val(&self) -> Val<'_> {
        match self {
            Typed::Text(s) => Val::Str(s),
            Typed::Number(n) => Val::Num(n),
        }
    }
}

impl fmt::Debug for Typed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Typed::Text(s) => write!(f, "Text(<{} bytes>)", s.len()),
            Typed::Number(_) => f.write_str("Number(..)"),
        }
    }
}

/// The edits of one record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordEdit {
    /// Left out of the upload (still listed, numbers do not move).
    pub removed: bool,
    values: Vec<(&'static str, Typed)>,
}

impl RecordEdit {
    /// The value typed for `field`, if any.
    pub fn value(&self, field: &str) -> Option<&Typed> {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }

    /// Every typed value, in the order the fields were first edited.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, &Typed)> {
        self.values.iter().map(|(f, v)| (*f, v))
    }

    /// True when a value was typed for some field.
    pub fn has_values(&self) -> bool {
        !self.values.is_empty()
    }
}

/// A field no value can be typed for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEditable {
    /// The name given.
    pub field: String,
}

impl fmt::Display for NotEditable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" cannot be edited; the fields are {}",
            crate::core::text::shorten(&self.field),
            EDITABLE_FIELDS.join(", ")
        )
    }
}

impl std::error::Error for NotEditable {}

/// Every record's edits, by 0-based record index (across the files of an upload).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    records: BTreeMap<usize, RecordEdit>,
}

impl Edits {
    /// No edits.
    pub fn new() -> Edits {
        Edits::default()
    }

    /// Types `value` for `field` of `record` (replacing a value typed before). `field` is
    /// Graph's name, one of [`EDITABLE_FIELDS`].
    pub fn set(&mut self, record: usize, field: &str, value: Typed) -> Result<(), NotEditable> {
        let Some(&field) = EDITABLE_FIELDS.iter().find(|f| **f == field) else {
            return Err(NotEditable {
                field: field.to_string(),
            });
        };
        let edit = self.records.entry(record).or_default();
        match edit.values.iter_mut().find(|(f, _)| *f == field) {
            Some((_, v)) => *v = value,
            None => edit.values.push((field, value)),
        }
        Ok(())
    }

    /// Leaves `record` out of the upload.
    pub fn remove(&mut self, record: usize) {
        self.records.entry(record).or_default().removed = true;
    }

    /// Brings a removed `record` back (its typed values are kept).
    pub fn restore(&mut self, record: usize) {
        if let Some(e) = self.records.get_mut(&record) {
            e.removed = false;
            if !e.has_values() {
                self.records.remove(&record);
            }
        }
    }

    /// The edits of `record`, if any.
    pub fn record(&self, record: usize) -> Option<&RecordEdit> {
        self.records.get(&record)
    }

    /// True when `record` is left out.
    pub fn is_removed(&self, record: usize) -> bool {
        self.record(record).is_some_and(|e| e.removed)
    }

    /// True when a value was typed for some field of `record`.
    pub fn is_edited(&self, record: usize) -> bool {
        self.record(record).is_some_and(RecordEdit::has_values)
    }

    /// True when nothing was edited or removed.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replace_remove_restore() {
        let mut e = Edits::new();
        assert!(e.set(2, "@contentId", Typed::text("9")).is_err());
        assert!(e.set(2, "secretkey", Typed::text("x")).is_err());
        e.set(2, "model", Typed::text("C202")).unwrap();
        e.set(2, "model", Typed::text("C203")).unwrap();
        assert_eq!(
            e.record(2).unwrap().value("model"),
            Some(&Typed::text("C203"))
        );
        assert!(e.is_edited(2) && !e.is_removed(2));
        e.remove(2);
        e.restore(2);
        assert!(e.is_edited(2) && !e.is_removed(2));
        e.remove(5);
        assert!(e.is_removed(5) && !e.is_edited(5));
        e.restore(5);
        assert!(e.record(5).is_none());
        assert_eq!(
            Typed::number(30.0),
            Some(Typed::Number(Zeroizing::new("30".into())))
        );
        assert_eq!(
            Typed::number(45.5),
            Some(Typed::Number(Zeroizing::new("45.5".into())))
        );
        assert_eq!(Typed::number(f64::NAN), None);
        assert_eq!(format!("{:?}", Typed::text("SECRET")), "Text(<6 bytes>)");
    }
}
