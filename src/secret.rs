//! What looks like a secret, by a variable's name or by a value's shape. A
//! default found in the code that matches either is never written to any
//! file nor printed; doctor uses the same rules on the files it audits.

/// Words that make a name secret when the name holds them anywhere
/// (`DBPASSWORD`, `GITHUBTOKEN`).
const SECRET_PARTS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "TOKEN",
    "APIKEY",
    "PRIVATE",
    "CREDENTIAL",
];

/// Words that make a name secret when they are a whole word of it
/// (`STRIPE_KEY`, `DB_PASS`, `SENTRY_DSN`; not `KEYBOARD` or `PASSTHROUGH`).
const SECRET_WORDS: &[&str] = &[
    "KEY", "KEYS", "PASS", "PWD", "PW", "DSN", "WEBHOOK", "WEBHOOKS", "AUTH", "SALT", "SIGNING",
    "CREDS", "COOKIE", "SESSION", "JWT", "OTP", "PIN", "CERT", "PEM", "HMAC", "BEARER",
];

/// Whether a variable name looks like it holds a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_PARTS.iter().any(|part| upper.contains(part))
        || upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| SECRET_WORDS.contains(&word))
}

/// Prefixes of credentials with a known shape: cloud keys, payment keys,
/// forge and chat tokens.
/// Words of a variable's name that make its secret some other service's
/// (`AWS_SECRET_ACCESS_KEY`, `STRIPE_SECRET_KEY`), not the app's own key.
const THIRD_PARTY: &[&str] = &[
    "AWS",
    "ACCESS",
    "API",
    "CLIENT",
    "STRIPE",
    "OAUTH",
    "S3",
    "GOOGLE",
    "GITHUB",
    "TWILIO",
    "MAILGUN",
    "SENDGRID",
    "RECAPTCHA",
    "JWT",
];

/// Whether a variable's name says its secret is another service's.
pub(crate) fn names_a_third_party(name: &str) -> bool {
    name.split('_').any(|word| THIRD_PARTY.contains(&word))
}

const SECRET_PREFIXES: &[(&str, usize)] = &[
    ("AKIA", 16),
    ("ASIA", 16),
    ("sk_live_", 8),
    ("rk_live_", 8),
    ("sk_test_", 8),
    ("whsec_", 8),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 16),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("xoxa-", 10),
    ("xoxr-", 10),
    ("xoxs-", 10),
    ("AIza", 30),
    ("SG.", 20),
    ("npm_", 20),
    ("pypi-", 20),
];

/// Whether a value has the shape of a credential: a known key or token
/// prefix, a private key, a Slack webhook, a JSON web token, or a URL that
/// carries a password.
pub(crate) fn is_secret_value(value: &str) -> bool {
    let value = value.trim();
    let tokens = value.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ','));
    let known = tokens.into_iter().any(|token| {
        SECRET_PREFIXES.iter().any(|(prefix, min)| {
            token.strip_prefix(prefix).is_some_and(|rest| {
                rest.len() >= *min
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            })
        })
    });
    known
        || value.contains("PRIVATE KEY-----")
        || value.contains("hooks.slack.com/services/")
        || is_jwt(value)
        || url_password(value).is_some_and(|p| !p.is_empty())
}

/// `eyJ...` `.` `eyJ...` `.` signature: a signed JSON web token.
fn is_jwt(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts[2].len() >= 10
}

/// The password of `scheme://user:password@host...`, when the value is such a URL.
pub(crate) fn url_password(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _host) = authority.rsplit_once('@')?;
    let (_user, password) = userinfo.split_once(':')?;
    Some(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_by_part_or_whole_word() {
        for name in [
            "SECRET_KEY",
            "STRIPE_KEY",
            "DB_PASS",
            "SMTP_PWD",
            "ENCRYPTION_KEY",
            "APIKEY",
            "SENTRY_DSN",
            "SLACK_WEBHOOK_URL",
            "MAIL_PASSWORD",
            "GITHUB_TOKEN",
            "AUTH_SALT",
            "JWT_SIGNING_ALG",
            "private_key_path",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "DATABASE_URL",
            "PORT",
            "KEYBOARD_LAYOUT",
            "PASSTHROUGH",
            "FLASK_ENV",
            "LOG_LEVEL",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn secret_values_by_shape() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "glpat-abcdefghij0123456789",
            "xoxb-1234567890-abcdefghij",
            "AIzaSyA-0123456789abcdefghijklmnopqrstu",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "postgresql://admin:hunter2@db.internal:5432/prod",
            "redis://:s3cret@cache:6379/0",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnop",
        ] {
            assert!(is_secret_value(value), "{value}");
        }
        for value in [
            "postgresql://localhost/app",
            "postgresql://app@localhost/app",
            "redis://localhost:6379/0",
            "development",
            "8000",
            "AKIA",
            "https://example.com/path",
        ] {
            assert!(!is_secret_value(value), "{value}");
        }
    }
}
