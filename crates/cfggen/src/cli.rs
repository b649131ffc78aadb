//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// cfggen: typed environment files in, rendered Kubernetes manifests and
/// 1Password references out.
#[derive(Debug, Parser)]
#[command(name = "cfggen", version, about, long_about = None)]
pub struct Cli {
    /// The repository root (the folder holding `environments/`); found by
    /// walking up from the current folder when absent.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check environments against the schema and the semantic rules.
    Validate(Select),
    /// Validate, render and write `generated/<env>/` (atomically), removing
    /// files cfggen wrote earlier that are no longer produced.
    Render(Select),
    /// Render in memory and compare with `generated/`: exit 0 when equal,
    /// 1 on drift, 2 on error.
    Diff {
        /// Which environments.
        #[command(flatten)]
        select: Select,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Compare one environment with existing manifests (files,
        /// folders or `-`) instead of `generated/`, object by object, as
        /// `cfggen import` proves its round trip.
        #[arg(long, value_name = "PATH", num_args = 1..)]
        against: Vec<PathBuf>,
    },
    /// The CI drift check: every environment validates, `schemas/` is
    /// current, and nothing under `generated/` drifts.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List every app and component with its image and where it is set.
    Images {
        /// The environment.
        #[arg(value_name = "ENV")]
        environment: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ImagesFormat::Text)]
        format: ImagesFormat,
    },
    /// Point an app (or one component) at another image, editing the
    /// environment file (or the base that sets it) in place, then re-render.
    SetImage {
        /// The environment.
        #[arg(value_name = "ENV")]
        environment: String,
        /// `<app>` or `<app>/<component>`.
        #[arg(value_name = "APP[/COMPONENT]")]
        target: String,
        /// A whole reference, or `:<tag>`, or `@sha256:<digest>`.
        #[arg(value_name = "IMAGE|:TAG|@DIGEST", allow_hyphen_values = true)]
        image: String,
        /// When the image is set in a base, add an override in the
        /// environment file instead of changing the base.
        #[arg(long)]
        here: bool,
        /// Do not re-render.
        #[arg(long)]
        no_render: bool,
    },
    /// Copy the image references of apps from one environment to another,
    /// editing the target environment file in place, then re-render it.
    Promote {
        /// Where the images come from.
        #[arg(value_name = "FROM")]
        from: String,
        /// Where they go.
        #[arg(value_name = "TO")]
        to: String,
        /// Apps to promote (all apps both environments have when none).
        #[arg(value_name = "APP")]
        apps: Vec<String>,
        /// Print what would change and the diff of the environment file,
        /// write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not re-render.
        #[arg(long)]
        no_render: bool,
    },
    /// Print the 1Password references an environment needs.
    Secrets {
        /// The environment.
        #[arg(value_name = "ENV")]
        environment: String,
        /// `text`: each reference with its consumers; `env`: a file for
        /// `op run --env-file` / `op inject`.
        #[arg(long, value_enum, default_value_t = SecretsFormat::Text)]
        format: SecretsFormat,
    },
    /// Bring existing manifests (files, folders, or `-` for a stream such
    /// as `kubectl kustomize` output) into an environment as typed apps,
    /// then prove that rendering them gives the same objects: exit 0 when
    /// nothing differs but cfggen's normalisations, 1 when something does
    /// (the apps are written all the same), 2 on bad input.
    Import {
        /// The environment (created when absent).
        #[arg(value_name = "ENV")]
        environment: String,
        /// Manifest files, folders, or `-`.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        /// Put everything into this app (else one app per namespace).
        #[arg(long, value_name = "NAME")]
        app: Option<String>,
        /// Report what would be written and the round trip; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace apps of the same names that the environment has.
        #[arg(long)]
        replace: bool,
        /// Leave out Secrets that hold values (else they are an error).
        #[arg(long)]
        skip_secrets: bool,
        /// The value of a Flux post-build variable of the input
        /// (`${NAME}`), as a Kustomization's `postBuild.substitute` gives
        /// it; repeatable.
        #[arg(long, value_name = "NAME=VALUE")]
        substitute: Vec<String>,
        /// Flux post-build variables from a file: a Flux Kustomization
        /// (its `postBuild.substitute`), a ConfigMap its `substituteFrom`
        /// names (its `data`), or a map of names to values; repeatable,
        /// `--substitute` wins.
        #[arg(long, value_name = "FILE")]
        substitute_from: Vec<PathBuf>,
    },
    /// Start a new repository: environments (a base, `dev` and `prod` with
    /// one small app), schemas, the rendered output, a CI workflow and
    /// editor settings. Writes nothing if any of them exists.
    Init {
        /// Where (the current folder when absent).
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write the JSON Schemas under `schemas/` from the Rust types, or
    /// check that they are current.
    Schema {
        /// Only check: exit 1 if a schema file is missing or stale.
        #[arg(long)]
        check: bool,
    },
}

/// Output formats of `cfggen diff` and `cfggen check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: a summary per resource and a unified diff per file.
    Text,
    /// A stable JSON document (see the README).
    Json,
    /// GitHub / Forgejo Actions workflow commands (`::error file=…::`).
    Github,
}

/// Output formats of `cfggen images`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImagesFormat {
    /// A table.
    Text,
    /// A JSON list of `{app, component, image, file, line, column}`.
    Json,
}

/// Output formats of `cfggen secrets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecretsFormat {
    /// References with what consumes them.
    Text,
    /// `NAME=op://…` lines.
    Env,
}

/// Which environments a command applies to.
#[derive(Debug, Args)]
pub struct Select {
    /// Environment names (file stems under `environments/`).
    #[arg(value_name = "ENV")]
    pub environments: Vec<String>,
    /// Every environment (the default when none is named).
    #[arg(long, conflicts_with = "environments")]
    pub all: bool,
}
