//! The role a request needs (role-based API keys, Securosys seed 003): declared by the provider
//! code that builds the request, so the credentials can attach that role's key and only that.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The role that protects an endpoint (seed 003 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `keyManagementToken`: create, modify and delete keys (`/v1/key/**`…).
    KeyManagement,
    /// `keyOperationToken`: sign, verify, encrypt, decrypt, requests (`/v1/synchronousSign`…).
    KeyOperation,
    /// `approverToken`: approval tasks and approvals (`/v1/approval`, `/v1/task`…).
    Approver,
    /// `serviceToken`: service information (`/v1/versionInfo`, `/v1/licenseInfo`…).
    Service,
    /// `approverKeyManagementToken`: approver management (`/v1/approverManagement/**`).
    ApproverKeyManagement,
}

impl Role {
    /// Every role, in configuration order.
    pub const ALL: [Role; 5] = [
        Role::KeyManagement,
        Role::KeyOperation,
        Role::Approver,
        Role::Service,
        Role::ApproverKeyManagement,
    ];

    /// The field name in the `api_keys` object of the configuration (`key_operation`).
    pub const fn config_name(self) -> &'static str {
        match self {
            Role::KeyManagement => "key_management",
            Role::KeyOperation => "key_operation",
            Role::Approver => "approver",
            Role::Service => "service",
            Role::ApproverKeyManagement => "approver_key_management",
        }
    }

    /// The name Securosys uses for the role's token (`keyOperationToken`).
    pub const fn securosys_name(self) -> &'static str {
        match self {
            Role::KeyManagement => "keyManagementToken",
            Role::KeyOperation => "keyOperationToken",
            Role::Approver => "approverToken",
            Role::Service => "serviceToken",
            Role::ApproverKeyManagement => "approverKeyManagementToken",
        }
    }

    /// The role's position in [`Role::ALL`].
    pub(crate) const fn index(self) -> usize {
        match self {
            Role::KeyManagement => 0,
            Role::KeyOperation => 1,
            Role::Approver => 2,
            Role::Service => 3,
            Role::ApproverKeyManagement => 4,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.config_name())
    }
}
