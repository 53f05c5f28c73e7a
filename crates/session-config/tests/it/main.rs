//! Integration tests of session-config (one test binary).

mod libsession_messages;
mod props;
mod rejections;
mod signed;
mod user_configs;
mod util;
mod vectors;
