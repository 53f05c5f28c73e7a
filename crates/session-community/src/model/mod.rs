//! Rows the API works with: users (with blinding hand-over), rooms, and a user's effective
//! permissions in a room.

mod perms;
mod room;
mod user;

pub use perms::Perms;
pub use room::{Room, is_valid_token};
pub use user::{User, is_session_id};
pub(crate) use user::{resolve_target, user_by_id};
