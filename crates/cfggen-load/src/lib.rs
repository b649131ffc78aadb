//! cfggen's loading stage: environment files on disk → a validated, typed
//! [`Environment`](cfggen_model::Environment), or every problem found as a
//! located [`Diagnostic`].
//!
//! The stages, in order: read and parse each file (positions kept,
//! duplicate keys refused), check it against its JSON Schema (a base or an
//! environment that extends one against the partial schema), merge the
//! bases under the environment, check the merged document against the full
//! schema, deserialise it into the typed model, and apply the model's
//! semantic rules. A problem confined to some apps leaves them out of the
//! later stages, which still check the rest; any other problem stops them.

mod builtin_crds;
mod diagnostic;
mod habits;
mod load;
mod manifests;
mod schema_errors;

pub use cfggen_source::{Repo, Source, SourceError, BASES_DIR, ENVIRONMENTS_DIR};
pub use diagnostic::{sort, Diagnostic, Identity, Place, SourceFile};
pub use load::{
    load_environment, source_diagnostic, warm_schema, ImageSite, Loaded, Locator, Placing, Session,
    Trees, Tuning,
};
pub use manifests::CRDS_DIR;
