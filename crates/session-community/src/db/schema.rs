//! The schema as numbered migrations: migration `n` (1-based) brings `PRAGMA user_version`
//! from `n - 1` to `n`. Never edit a released migration; append a new one.
//!
//! Times are unix seconds as REAL (the API reports them as floats). Sequence counters (a room's
//! `message_sequence`, a message's `seqno*`) are maintained by the Rust code in the same
//! transaction as the change, not by triggers.

/// The migrations, in order.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: rooms, users, posts with history, reactions, pins, files, permissions (overrides and
    // scheduled changes), bans, nonces, room activity, blinded DMs.
    "CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        token TEXT NOT NULL UNIQUE COLLATE NOCASE
            CHECK (length(token) BETWEEN 1 AND 64 AND token NOT GLOB '*[^a-zA-Z0-9_-]*'),
        name TEXT NOT NULL,
        description TEXT,
        image INTEGER,
        created REAL NOT NULL,
        message_sequence INTEGER NOT NULL DEFAULT 0,
        info_updates INTEGER NOT NULL DEFAULT 0,
        read INTEGER NOT NULL DEFAULT 1,
        accessible INTEGER NOT NULL DEFAULT 1,
        write INTEGER NOT NULL DEFAULT 1,
        upload INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        created REAL NOT NULL,
        last_active REAL NOT NULL,
        banned INTEGER NOT NULL DEFAULT 0,
        moderator INTEGER NOT NULL DEFAULT 0,
        admin INTEGER NOT NULL DEFAULT 0,
        visible_mod INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE needs_blinding (
        blinded_abs TEXT PRIMARY KEY,
        user INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id),
        posted REAL NOT NULL,
        edited REAL,
        seqno INTEGER NOT NULL,
        seqno_data INTEGER NOT NULL,
        seqno_reactions INTEGER NOT NULL DEFAULT 0,
        seqno_creation INTEGER NOT NULL,
        data BLOB,
        signature BLOB,
        whisper INTEGER REFERENCES users(id),
        whisper_mods INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX messages_room_seqno ON messages(room, seqno);
    CREATE INDEX messages_room_user_posted ON messages(room, user, posted);
    CREATE TABLE message_history (
        message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        replaced REAL NOT NULL,
        data BLOB NOT NULL,
        signature BLOB NOT NULL
    );
    CREATE INDEX message_history_message ON message_history(message);
    CREATE INDEX message_history_replaced ON message_history(replaced);
    CREATE TABLE pinned_messages (
        room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        pinned_by INTEGER NOT NULL REFERENCES users(id),
        pinned_at REAL NOT NULL,
        PRIMARY KEY (room, message)
    );
    CREATE TABLE reactions (
        id INTEGER PRIMARY KEY,
        message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        reaction TEXT NOT NULL,
        UNIQUE (message, reaction)
    );
    CREATE TABLE user_reactions (
        reaction INTEGER NOT NULL REFERENCES reactions(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        PRIMARY KEY (reaction, user)
    );
    CREATE INDEX user_reactions_at ON user_reactions(reaction, at);
    CREATE TABLE files (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room INTEGER REFERENCES rooms(id) ON DELETE SET NULL,
        uploader INTEGER REFERENCES users(id),
        message INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        size INTEGER NOT NULL,
        uploaded REAL NOT NULL,
        expiry REAL,
        filename TEXT,
        path TEXT NOT NULL
    );
    CREATE INDEX files_room ON files(room);
    CREATE INDEX files_expiry ON files(expiry);
    CREATE INDEX files_message ON files(message);
    CREATE TABLE room_users (
        room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        last_active REAL NOT NULL,
        PRIMARY KEY (room, user)
    ) WITHOUT ROWID;
    CREATE INDEX room_users_room_activity ON room_users(room, last_active);
    CREATE INDEX room_users_activity ON room_users(last_active);
    CREATE TABLE user_permission_overrides (
        room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        banned INTEGER NOT NULL DEFAULT 0,
        read INTEGER,
        accessible INTEGER,
        write INTEGER,
        upload INTEGER,
        moderator INTEGER NOT NULL DEFAULT 0,
        admin INTEGER NOT NULL DEFAULT 0,
        visible_mod INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (room, user)
    ) WITHOUT ROWID;
    CREATE INDEX user_permission_overrides_mods ON user_permission_overrides(room)
        WHERE moderator;
    CREATE TABLE user_permission_futures (
        room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        read INTEGER,
        write INTEGER,
        upload INTEGER
    );
    CREATE INDEX user_permission_futures_at ON user_permission_futures(at);
    CREATE INDEX user_permission_futures_room_user ON user_permission_futures(room, user);
    CREATE TABLE user_ban_futures (
        room INTEGER REFERENCES rooms(id) ON DELETE CASCADE,
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        banned INTEGER NOT NULL
    );
    CREATE INDEX user_ban_futures_at ON user_ban_futures(at);
    CREATE INDEX user_ban_futures_room_user ON user_ban_futures(room, user);
    CREATE TABLE user_request_nonces (
        user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        nonce BLOB NOT NULL,
        expiry REAL NOT NULL,
        PRIMARY KEY (user, nonce)
    ) WITHOUT ROWID;
    CREATE INDEX user_request_nonces_expiry ON user_request_nonces(expiry);
    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        sender INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        posted_at REAL NOT NULL,
        expiry REAL NOT NULL
    );
    CREATE INDEX inbox_recipient ON inbox(recipient, id);
    CREATE INDEX inbox_sender ON inbox(sender, id);
    CREATE INDEX inbox_expiry ON inbox(expiry);",
];
