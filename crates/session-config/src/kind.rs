//! The config types, their swarm namespaces and encryption domains (spec §5.1).

use session_protocol::proto::shared_config_message::Kind as LegacyKind;

/// A config type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// The user's profile (namespace 2).
    UserProfile,
    /// The user's contacts (namespace 3).
    Contacts,
    /// Read state of conversations (namespace 4).
    ConvoInfoVolatile,
    /// Joined groups and communities (namespace 5).
    UserGroups,
    /// A group's info (namespace 13, signed by the group key).
    GroupInfo,
    /// A group's members (namespace 14, signed by the group key).
    GroupMembers,
}

impl Kind {
    /// The four user configs, in namespace order.
    pub const USER: [Kind; 4] = [
        Kind::UserProfile,
        Kind::Contacts,
        Kind::ConvoInfoVolatile,
        Kind::UserGroups,
    ];

    /// The swarm namespace the config is stored in.
    pub fn namespace(self) -> i16 {
        match self {
            Kind::UserProfile => 2,
            Kind::Contacts => 3,
            Kind::ConvoInfoVolatile => 4,
            Kind::UserGroups => 5,
            Kind::GroupInfo => 13,
            Kind::GroupMembers => 14,
        }
    }

    /// The config type stored in `namespace`, if any.
    pub fn from_namespace(namespace: i16) -> Option<Kind> {
        [
            Kind::UserProfile,
            Kind::Contacts,
            Kind::ConvoInfoVolatile,
            Kind::UserGroups,
            Kind::GroupInfo,
            Kind::GroupMembers,
        ]
        .into_iter()
        .find(|k| k.namespace() == namespace)
    }

    /// The encryption domain (1..=24 bytes).
    pub fn domain(self) -> &'static str {
        match self {
            Kind::UserProfile => "UserProfile",
            Kind::Contacts => "Contacts",
            Kind::ConvoInfoVolatile => "ConvoInfoVolatile",
            Kind::UserGroups => "UserGroups",
            Kind::GroupInfo => "groups::Info",
            Kind::GroupMembers => "groups::Members",
        }
    }

    /// True for the user configs, which the legacy protobuf wrapping applies to.
    pub fn is_user(self) -> bool {
        Kind::USER.contains(&self)
    }

    /// The `SharedConfigMessage.kind` of the legacy wrapping (user configs only).
    pub fn legacy_kind(self) -> Option<LegacyKind> {
        match self {
            Kind::UserProfile => Some(LegacyKind::UserProfile),
            Kind::Contacts => Some(LegacyKind::Contacts),
            Kind::ConvoInfoVolatile => Some(LegacyKind::ConvoInfoVolatile),
            Kind::UserGroups => Some(LegacyKind::UserGroups),
            _ => None,
        }
    }
}
