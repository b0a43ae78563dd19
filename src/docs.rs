//! The registry documentation, generated from the provider's own schemas so
//! that it cannot fall behind them. Hand-written parts are templates in
//! `templates/` (the same paths as in `docs/`, ending `.md.tmpl`), with three
//! directives:
//!
//! - `{{ schema }}`: the attribute reference of the page's schema;
//! - `{{ tffile "examples/..." }}`: a file's text in an `hcl` fence;
//! - `{{ codefile "LANG" "examples/..." }}`: a file's text in a `LANG` fence.
//!
//! `oomnitza-docs` (src/bin/oomnitza-docs.rs) writes the pages, or checks
//! that the committed ones are what it would write.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::framework::{Attribute, Block, IdentitySchema, Nesting, Provider, Schema, Type};

/// One page: where its template is, where it goes, and what it documents.
pub struct Page {
    pub template: PathBuf,
    pub output: PathBuf,
    pub schema: Option<Schema>,
    pub identity: Option<IdentitySchema>,
}

/// Every page of the provider, for a provider whose resources are named
/// `<provider>_<name>`.
pub fn pages<P: Provider>(provider: &P, prefix: &str) -> Vec<Page> {
    let short = |t: &str| t.strip_prefix(prefix).unwrap_or(t).to_string();
    let page = |dir: &str, name: &str, schema: Option<Schema>, identity: Option<IdentitySchema>| Page {
        template: PathBuf::from(format!("templates/{dir}{name}.md.tmpl")),
        output: PathBuf::from(format!("docs/{dir}{name}.md")),
        schema,
        identity,
    };
    let mut out = vec![page("", "index", Some(provider.schema()), None)];
    for r in provider.resources() {
        out.push(page(
            "resources/",
            &short(r.type_name()),
            Some(r.schema()),
            r.identity().map(|i| i.identity_schema()),
        ));
    }
    for d in provider.data_sources() {
        out.push(page("data-sources/", &short(d.type_name()), Some(d.schema()), None));
    }
    for l in provider.list_resources() {
        out.push(page("list-resources/", &short(l.type_name()), Some(l.schema()), None));
    }
    for a in provider.actions() {
        out.push(page("actions/", &short(a.type_name()), Some(a.schema()), None));
    }
    for e in provider.ephemeral_resources() {
        out.push(page("ephemeral-resources/", &short(e.type_name()), Some(e.schema()), None));
    }
    out
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
        _ => "Dynamic".into(),
    }
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() || s.ends_with('.') || s.ends_with(')') || s.ends_with('`') {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut kinds = vec![type_name(&a.ty)];
    if a.sensitive {
        kinds.push("Sensitive".into());
    }
    if a.write_only {
        kinds.push("Write-only".into());
    }
    if a.deprecated {
        kinds.push("Deprecated".into());
    }
    let mut line = format!("- `{}` ({}) {}", a.name, kinds.join(", "), sentence(&a.description));
    if let Some(d) = &a.default {
        let _ = write!(line, " Defaults to `{d}`.");
    }
    line.trim_end().to_string()
}

fn anchor(path: &str) -> String {
    format!("nested--{}", path.replace('.', "--"))
}

/// The attributes and blocks of one block, grouped as a reader looks for
/// them: what must be set, what may be, and what Terraform only reads.
fn block_reference(block: &Block, path: &str, out: &mut String, nested: &mut Vec<(String, Block, Nesting)>) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let mut lines: Vec<String> = block.attributes.iter().filter(|a| pick(a)).map(attribute_line).collect();
        if title == "Optional" {
            for b in &block.blocks {
                let p = if path.is_empty() { b.name.clone() } else { format!("{path}.{}", b.name) };
                let how = match b.nesting {
                    Nesting::Single | Nesting::Group => "Block",
                    Nesting::List => "Block List",
                    Nesting::Set => "Block Set",
                    Nesting::Map => "Block Map",
                };
                lines.push(format!(
                    "- `{}` ({how}) {} See [`{p}`](#{}) below.",
                    b.name,
                    sentence(&b.block.description),
                    anchor(&p)
                ));
                nested.push((p, b.block.clone(), b.nesting));
            }
        }
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}\n", if path.is_empty() { format!("### {title}") } else { format!("{title}:") });
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
        out.push('\n');
    }
}

/// The attribute reference of a schema, with an identity section when the
/// resource has one.
pub fn schema_markdown(schema: &Schema, identity: Option<&IdentitySchema>) -> String {
    let mut out = String::from("## Schema\n\n");
    let mut nested = Vec::new();
    block_reference(&schema.block, "", &mut out, &mut nested);
    let mut i = 0;
    while i < nested.len() {
        let (path, block, _) = nested[i].clone();
        let _ = writeln!(out, "<a id=\"{}\"></a>\n### Nested schema for `{path}`\n", anchor(&path));
        block_reference(&block, &path, &mut out, &mut nested);
        i += 1;
    }
    if let Some(id) = identity {
        out.push_str("## Identity schema\n\nWhat names one object in `import { identity = {...} }` blocks and `terraform query` results (Terraform 1.12+).\n\n");
        for a in &id.attributes {
            let need = if a.required_for_import { "Required for import" } else { "Optional for import" };
            let _ = writeln!(out, "- `{}` ({}, {need}) {}", a.name, type_name(&a.ty), sentence(&a.description));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// Why a template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("{path}: {msg}")]
    Template { path: String, msg: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

fn read(root: &Path, rel: &str) -> Result<String, DocsError> {
    std::fs::read_to_string(root.join(rel)).map_err(|source| DocsError::Io { path: rel.to_string(), source })
}

/// The quoted arguments of a directive: `"a" "b"` -> [a, b].
fn quoted(args: &str) -> Vec<&str> {
    args.split('"').skip(1).step_by(2).collect()
}

/// Renders one page from its template.
pub fn render(root: &Path, page: &Page) -> Result<String, DocsError> {
    let name = page.template.display().to_string();
    let template = read(root, &name)?;
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            return Err(DocsError::Template { path: name, msg: "a {{ without }}".into() });
        };
        let directive = rest[start + 2..start + len].trim();
        rest = &rest[start + len + 2..];
        let (verb, args) = directive.split_once(' ').unwrap_or((directive, ""));
        match (verb, quoted(args).as_slice()) {
            ("schema", []) => match &page.schema {
                Some(s) => out.push_str(schema_markdown(s, page.identity.as_ref()).trim_end()),
                None => {
                    return Err(DocsError::Template { path: name, msg: "{{ schema }} on a page without one".into() })
                }
            },
            ("tffile", [file]) => {
                let _ = write!(out, "```terraform\n{}```", read(root, file)?);
            }
            ("codefile", [lang, file]) => {
                let _ = write!(out, "```{lang}\n{}```", read(root, file)?);
            }
            _ => {
                return Err(DocsError::Template { path: name, msg: format!("unknown directive {{{{ {directive} }}}}") })
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_reference_groups_and_nests() {
        let schema = Schema::new(
            0,
            Block::new("r")
                .attr(Attribute::string("name").required().describe("The name"))
                .attr(Attribute::string("note").optional().default_is("\"\"").describe("Free text."))
                .attr(Attribute::string("id").computed().describe("The id."))
                .block(
                    "auth",
                    Nesting::Single,
                    Block::new("How to sign in.")
                        .attr(Attribute::string("token_wo").optional().sensitive().write_only()),
                ),
        );
        let md = schema_markdown(&schema, None);
        let at = |h: &str| md.find(h).unwrap_or_else(|| panic!("no {h} section:\n{md}"));
        let (req, opt, ro) = (at("### Required"), at("### Optional"), at("### Read-Only"));
        assert!(req < opt && opt < ro, "{md}");
        assert!(md.contains("- `name` (String) The name."), "{md}");
        assert!(md.contains("- `note` (String) Free text. Defaults to `\"\"`."), "{md}");
        assert!(md.contains("- `auth` (Block) How to sign in. See [`auth`](#nested--auth) below."), "{md}");
        assert!(md.contains("### Nested schema for `auth`"), "{md}");
        assert!(md.contains("`token_wo` (String, Sensitive, Write-only)"), "{md}");
    }

    /// Language servers, docs generators and binding generators read every
    /// description: none may be missing, in any schema of the provider.
    #[test]
    fn every_attribute_of_every_schema_is_described() {
        fn walk(block: &Block, at: &str, missing: &mut Vec<String>) {
            if block.description.trim().is_empty() {
                missing.push(format!("{at} (block)"));
            }
            for a in &block.attributes {
                if a.description.trim().is_empty() {
                    missing.push(format!("{at}.{}", a.name));
                }
            }
            for b in &block.blocks {
                walk(&b.block, &format!("{at}.{}", b.name), missing);
            }
        }
        let mut missing = Vec::new();
        let pages = pages(&crate::provider::OomnitzaProvider::new(), "oomnitza_");
        assert!(pages.len() >= 6, "every kind of schema is walked");
        for page in &pages {
            let name = page.output.display().to_string();
            if let Some(s) = &page.schema {
                walk(&s.block, &name, &mut missing);
            }
            for a in page.identity.iter().flat_map(|i| &i.attributes) {
                if a.description.trim().is_empty() {
                    missing.push(format!("{name} identity.{}", a.name));
                }
            }
        }
        assert!(missing.is_empty(), "attributes without a description: {missing:#?}");
    }
}
