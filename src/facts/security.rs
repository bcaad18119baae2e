//! Account and password-hashing facts: the hash scheme of each account
//! (never the hash), and the hashing that login.defs, libuser and PAM give
//! to passwords set later.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::linux::{libuser, login_defs, pam, shadow};
use schemars::JsonSchema;
use serde::Serialize;

pub const ACCOUNTS: FactSpec = FactSpec {
    name: "accounts",
    always: false,
    build: Build::Node(build_accounts),
    diff: None,
    inputs: &["shadow"],
    summary: "One entry per /etc/shadow line. Only the hash scheme leaves the parser, never the \
              hash, its salt or any part of it.",
    schema: typed::<Vec<Account>>,
};

pub const LOGIN_DEFS: FactSpec = FactSpec {
    name: "login_defs",
    always: false,
    build: Build::Node(build_login_defs),
    diff: None,
    inputs: &["login-defs"],
    summary: "The hashing /etc/login.defs gives to passwords set with passwd/chpasswd. The last \
              setting of a key wins, as in shadow-utils.",
    schema: typed::<LoginDefs>,
};

pub const LIBUSER: FactSpec = FactSpec {
    name: "libuser",
    always: false,
    build: Build::Node(build_libuser),
    diff: None,
    inputs: &["libuser"],
    summary: "The hashing /etc/libuser.conf gives to passwords set through libuser (lpasswd, \
              luseradd, the TPD tools).",
    schema: typed::<Libuser>,
};

pub const PAM_PASSWORD: FactSpec = FactSpec {
    name: "pam_password",
    always: false,
    build: Build::Node(build_pam_password),
    diff: None,
    inputs: &[
        "pam-system-auth",
        "pam-password-auth",
        "pam-common-password",
    ],
    summary: "Every `password … pam_unix.so` line of the PAM stacks that set passwords \
              (system-auth, password-auth, Debian's common-password): the hash it writes.",
    schema: typed::<Vec<PamPassword>>,
};

/// An `accounts` row.
#[derive(Serialize, JsonSchema)]
struct Account<'r> {
    /// account name
    name: &'r str,
    /// sha512, sha256, md5, bcrypt, yescrypt, gost-yescrypt, scrypt, sha1,
    /// sun-md5, bsdi, des, empty, none (`*`, `!!`, …), unknown
    scheme: &'r str,
    /// the field starts with `!`
    locked: bool,
    /// `!!` or `!` alone: the password was never set
    never_set: bool,
    /// days since 1970-01-01 of the last change; 0 = must change at next
    /// login
    last_change_days: Option<i64>,
    /// maximum password age in days (99999 = never expires)
    max_days: Option<i64>,
    /// warning period
    warn_days: Option<i64>,
    /// grace after expiry
    inactive_days: Option<i64>,
    /// account expiry, days since 1970-01-01
    expire_days: Option<i64>,
    /// last_change_days + max_days when the password ages out; null when it
    /// never does
    password_expires_day: Option<i64>,
    /// {file, line}
    source: Source,
}

/// The `login_defs` fact.
#[derive(Serialize, JsonSchema)]
struct LoginDefs {
    /// ENCRYPT_METHOD upper-cased (SHA512, SHA256, MD5, DES, YESCRYPT,
    /// BCRYPT); null when absent
    encrypt_method: Option<String>,
    /// MD5_CRYPT_ENAB yes (used when ENCRYPT_METHOD is absent)
    md5_crypt_enab: bool,
    /// the method in force: ENCRYPT_METHOD, else MD5 when MD5_CRYPT_ENAB is
    /// yes, else DES
    effective: String,
    /// {file, line} of the deciding setting (line 1 when none)
    source: Source,
}

/// The `libuser` fact.
#[derive(Serialize, JsonSchema)]
struct Libuser {
    /// `[defaults] crypt_style`, lower-cased (the first one, as libuser
    /// reads it); null when absent — libuser then follows login.defs
    /// through `[import]`
    crypt_style: Option<String>,
    /// {file, line}
    source: Source,
}

/// A `pam_password` row.
#[derive(Serialize, JsonSchema)]
struct PamPassword {
    /// the PAM file
    file: String,
    /// the hash it writes
    scheme: PamScheme,
    /// the module arguments
    args: Vec<String>,
    /// {file, line}
    source: Source,
}

/// The hash a pam_unix line writes: its hash option; pam_unix accepts the
/// last one given.
#[derive(Serialize, JsonSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum PamScheme {
    Sha512,
    Sha256,
    Md5,
    Bigcrypt,
    Blowfish,
    Yescrypt,
    GostYescrypt,
    /// no hash option: pam_unix follows login.defs
    Default,
}

pub fn build_accounts(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("shadow", shadow::parse)?;
    let entries = parsed(&rel, outcome)?;
    let rows: Vec<Account> = entries
        .iter()
        .map(|e| {
            let ages_out = e.max_days.filter(|m| *m < 99999);
            Account {
                name: &e.account,
                scheme: &e.scheme,
                locked: e.locked,
                never_set: e.never_set,
                last_change_days: e.last_change_days,
                max_days: e.max_days,
                warn_days: e.warn_days,
                inactive_days: e.inactive_days,
                expire_days: e.expire_days,
                password_expires_day: e.last_change_days.zip(ages_out).map(|(c, m)| c + m),
                source: Source::new(&rel, e.line),
            }
        })
        .collect();
    to_fact(&rows)
}

pub fn build_login_defs(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("login-defs", login_defs::parse)?;
    let settings = parsed(&rel, outcome)?;
    let last = |key: &str| settings.iter().rev().find(|s| s.key == key);
    // shadow-utils strips double quotes around a value.
    let value = |s: &login_defs::Setting| s.value.trim_matches('"').to_ascii_uppercase();
    let method = last("ENCRYPT_METHOD");
    let md5 = last("MD5_CRYPT_ENAB");
    let md5_on = md5.is_some_and(|s| value(s) == "YES");
    let effective = match (method, md5_on) {
        (Some(m), _) => value(m),
        (None, true) => "MD5".to_string(),
        (None, false) => "DES".to_string(),
    };
    let line = method.or(md5).map_or(1, |s| s.line);
    to_fact(&LoginDefs {
        encrypt_method: method.map(value),
        md5_crypt_enab: md5_on,
        effective,
        source: Source::new(&rel, line),
    })
}

pub fn build_libuser(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("libuser", libuser::parse)?;
    let settings = parsed(&rel, outcome)?;
    // libuser takes the first value of a key, names matched in any case.
    let style = settings.iter().find(|s| {
        s.section.eq_ignore_ascii_case("defaults") && s.key.eq_ignore_ascii_case("crypt_style")
    });
    to_fact(&Libuser {
        crypt_style: style.map(|s| s.value.to_ascii_lowercase()),
        source: Source::new(&rel, style.map_or(1, |s| s.line)),
    })
}

/// The hash option of a pam_unix line; pam_unix accepts the last one given.
fn pam_scheme(args: &[String]) -> PamScheme {
    args.iter()
        .rev()
        .find_map(|a| match a.as_str() {
            "sha512" => Some(PamScheme::Sha512),
            "sha256" => Some(PamScheme::Sha256),
            "md5" => Some(PamScheme::Md5),
            "bigcrypt" => Some(PamScheme::Bigcrypt),
            "blowfish" => Some(PamScheme::Blowfish),
            "yescrypt" => Some(PamScheme::Yescrypt),
            "gost_yescrypt" => Some(PamScheme::GostYescrypt),
            _ => None,
        })
        .unwrap_or(PamScheme::Default)
}

pub fn build_pam_password(facts: &mut NodeFacts) -> FactResult {
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    for input in PAM_PASSWORD.inputs {
        let (rel, outcome) = match facts.parse(input, pam::parse) {
            Ok(found) => found,
            Err(FactProblem::Missing { looked_for, .. }) => {
                missing.extend(looked_for);
                continue;
            }
            Err(other) => return Err(other),
        };
        for l in parsed(&rel, outcome)? {
            let unix = l.module.ends_with("pam_unix.so") || l.module.ends_with("pam_unix2.so");
            if l.kind == "password" && unix {
                lines.push(PamPassword {
                    file: rel.clone(),
                    scheme: pam_scheme(&l.args),
                    args: l.args.clone(),
                    source: Source::new(&rel, l.line),
                });
            }
        }
    }
    if missing.len() == PAM_PASSWORD.inputs.len() {
        return Err(FactProblem::Missing {
            input: "pam (system-auth, password-auth or common-password)".into(),
            looked_for: missing,
        });
    }
    to_fact(&lines)
}
