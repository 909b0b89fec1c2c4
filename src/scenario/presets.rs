//! The built-in presets: the files in `scenarios/`, compiled into the binary so that the tool
//! works from any folder.

/// (name, file text), in the order `backsim scenarios` lists them.
pub const PRESETS: &[(&str, &str)] = &[
    ("aligned", include_str!("../../scenarios/aligned.toml")),
    ("siloed-pm", include_str!("../../scenarios/siloed-pm.toml")),
    (
        "overloaded-po",
        include_str!("../../scenarios/overloaded-po.toml"),
    ),
    (
        "blurred-roles",
        include_str!("../../scenarios/blurred-roles.toml"),
    ),
    ("forecast", include_str!("../../scenarios/forecast.toml")),
];

/// The four archetypes that `backsim run` compares by default, aligned first (the baseline).
pub const ARCHETYPES: &[&str] = &["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];

pub fn find(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

pub fn text(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}
