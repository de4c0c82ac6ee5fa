//! The facts of every request kind: label, method, path, permission, least-privileged role and
//! the inputs it reads. Each permission and role is the one the kind's Microsoft Graph reference
//! page names (docs/graph.md lists the pages).

use super::{KindInfo, Need, Needs, RequestKind};

pub(super) const DEVICES: &str = "/directory/authenticationMethodDevices/hardwareOathDevices";
pub(super) const POLICY: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath";
pub(super) const METHODS: &str = "/users/{user}/authentication/hardwareOathMethods";

pub(super) const PERM_DEVICES: &str = "Policy.ReadWrite.AuthenticationMethod";
pub(super) const PERM_READ: &str = "Policy.Read.All";
pub(super) const PERM_POLICY_READ: &str = "Policy.Read.AuthenticationMethod";
pub(super) const PERM_USER: &str = "UserAuthenticationMethod.ReadWrite.All";
pub(super) const PERM_USER_READ: &str = "UserAuthenticationMethod.Read.All";
pub(super) const PERM_USERS: &str = "User.Read.All";
pub(super) const PERM_CREATE_ASSIGN: &str =
    "Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All";
pub(super) const ROLE_POLICY: &str = "Authentication Policy Administrator";
pub(super) const ROLE_READ: &str = "Global Reader (or Authentication Policy Administrator)";
pub(super) const ROLE_USER: &str =
    "Authentication Administrator (Privileged Authentication Administrator for admin users)";
pub(super) const ROLE_USER_READ: &str =
    "Global Reader (or Authentication Administrator, Privileged Authentication Administrator)";
pub(super) const ROLE_USERS: &str =
    "none for a member account (users can read other users by default); Directory Readers where that default is turned off";
pub(super) const ROLE_CREATE_ASSIGN: &str = "Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users)";

const L_BULK: &str =
    "https://learn.microsoft.com/graph/api/authenticationmethoddevice-update?view=graph-rest-beta";
const L_POST: &str = "https://learn.microsoft.com/graph/api/authenticationmethoddevice-post-hardwareoathdevices?view=graph-rest-beta";
const L_LIST: &str = "https://learn.microsoft.com/graph/api/authenticationmethoddevice-list-hardwareoathdevices?view=graph-rest-beta";
const L_GET: &str = "https://learn.microsoft.com/graph/api/hardwareoathtokenauthenticationmethoddevice-get?view=graph-rest-beta";
const L_UPD: &str = "https://learn.microsoft.com/graph/api/hardwareoathtokenauthenticationmethoddevice-update?view=graph-rest-beta";
const L_DEL: &str = "https://learn.microsoft.com/graph/api/authenticationmethoddevice-delete-hardwareoathdevices?view=graph-rest-beta";
const L_ASSIGN: &str = "https://learn.microsoft.com/graph/api/authentication-post-hardwareoathmethods?view=graph-rest-beta";
const L_PUT: &str = "https://learn.microsoft.com/graph/api/hardwareoathtokenauthenticationmethoddevice-put-assignto?view=graph-rest-beta";
const L_ACT: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-activate?view=graph-rest-beta";
const L_AA: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-assignandactivate?view=graph-rest-beta";
const L_AAS: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-assignandactivatebyserialnumber?view=graph-rest-beta";
const L_DEACT: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-deactivate?view=graph-rest-beta";
const L_UNA: &str = "https://learn.microsoft.com/graph/api/authentication-delete-hardwareoathmethods?view=graph-rest-beta";
const L_ULIST: &str = "https://learn.microsoft.com/graph/api/authentication-list-hardwareoathmethods?view=graph-rest-beta";
const L_POL_GET: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethodconfiguration-get?view=graph-rest-beta";
const L_POL_UPD: &str = "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethodconfiguration-update?view=graph-rest-beta";
const L_USER: &str = "https://learn.microsoft.com/graph/api/user-get?view=graph-rest-beta";
const E_HOWTO: &str =
    "https://learn.microsoft.com/entra/identity/authentication/how-to-mfa-manage-oath-tokens";

const NONE: Needs = Needs {
    user: Need::No,
    device_id: Need::No,
    serial: Need::Optional,
    listing: Need::No,
    user_methods: Need::No,
    resolved_users: Need::No,
    time: Need::No,
    object_id_only: false,
};

/// A user call on one device: user and device id required, the listing can supply ids, a
/// resolved user gives the object id.
const ON_DEVICE: Needs = Needs {
    user: Need::Required,
    device_id: Need::Required,
    listing: Need::Optional,
    resolved_users: Need::Optional,
    ..NONE
};

pub(super) fn info(kind: RequestKind) -> KindInfo {
    use RequestKind as K;
    let (name, label, method, path, permission, role, per, needs, source) = match kind {
        K::ReadPolicy => (
            "read-policy",
            "Read the hardware OATH policy (state and targets)",
            "GET",
            POLICY,
            PERM_POLICY_READ,
            ROLE_READ,
            "call",
            Needs { serial: Need::No, ..NONE },
            L_POL_GET,
        ),
        K::EnablePolicy => (
            "enable-policy",
            "Enable hardware OATH tokens in the policy",
            "PATCH",
            POLICY,
            PERM_DEVICES,
            ROLE_POLICY,
            "call",
            Needs { serial: Need::No, ..NONE },
            L_POL_UPD,
        ),
        K::ResolveUsers => (
            "resolve-users",
            "Find the users' object ids (UPN → id)",
            "POST",
            "/$batch",
            PERM_USERS,
            ROLE_USERS,
            "batch",
            Needs { user: Need::Required, ..NONE },
            L_USER,
        ),
        K::CreateBulk => (
            "create-bulk",
            "Create devices in bulk",
            "PATCH",
            DEVICES,
            PERM_DEVICES,
            ROLE_POLICY,
            "chunk",
            // The whole file: a bulk upload narrowed to one serial would shrink silently.
            Needs {
                user: Need::Optional,
                serial: Need::No,
                resolved_users: Need::Optional,
                object_id_only: true,
                ..NONE
            },
            L_BULK,
        ),
        K::Create => (
            "create",
            "Create devices one by one",
            "POST",
            DEVICES,
            PERM_DEVICES,
            ROLE_POLICY,
            "token",
            Needs {
                user: Need::Optional,
                resolved_users: Need::Optional,
                object_id_only: true,
                ..NONE
            },
            L_POST,
        ),
        K::List => (
            "list",
            "Look a token up by serial number",
            "GET",
            DEVICES,
            PERM_READ,
            ROLE_READ,
            "token",
            NONE,
            L_LIST,
        ),
        K::ListAll => (
            "list-all",
            "List the whole inventory (paged)",
            "GET",
            DEVICES,
            PERM_READ,
            ROLE_READ,
            "call",
            Needs { serial: Need::No, ..NONE },
            L_LIST,
        ),
        K::Get => (
            "get",
            "Read one device",
            "GET",
            "/directory/authenticationMethodDevices/hardwareOathDevices/{deviceId}",
            PERM_READ,
            ROLE_READ,
            "token",
            Needs { device_id: Need::Required, listing: Need::Optional, ..NONE },
            L_GET,
        ),
        K::Update => (
            "update",
            "Update a device's hash, period and name (unassigned tokens only)",
            "PATCH",
            "/directory/authenticationMethodDevices/hardwareOathDevices/{deviceId}",
            PERM_DEVICES,
            ROLE_POLICY,
            "token",
            Needs { device_id: Need::Required, listing: Need::Optional, ..NONE },
            L_UPD,
        ),
        K::Assign => (
            "assign",
            "Assign a token to its user",
            "POST",
            METHODS,
            PERM_USER,
            ROLE_USER,
            "token",
            ON_DEVICE,
            L_ASSIGN,
        ),
        K::AssignRef => (
            "assign-ref",
            "Assign a token to its user (the assignTo reference form)",
            "PUT",
            "/users/{user}/authentication/hardwareOathMethods/{deviceId}/device/assignTo/$ref",
            PERM_USER,
            ROLE_USER,
            "token",
            Needs { object_id_only: true, ..ON_DEVICE },
            L_PUT,
        ),
        K::Activate => (
            "activate",
            "Activate an assigned token (code computed here)",
            "POST",
            "/users/{user}/authentication/hardwareOathMethods/{deviceId}/activate",
            PERM_USER,
            ROLE_USER,
            "token",
            Needs { time: Need::Required, ..ON_DEVICE },
            L_ACT,
        ),
        K::AssignAndActivate => (
            "assign-and-activate",
            "Assign and activate in one call",
            "POST",
            "/users/{user}/authentication/hardwareOathMethods/assignAndActivate",
            PERM_USER,
            ROLE_USER,
            "token",
            Needs { time: Need::Required, ..ON_DEVICE },
            L_AA,
        ),
        K::AssignAndActivateBySerial => (
            "assign-and-activate-by-serial",
            "Assign and activate by serial number",
            "POST",
            "/users/{user}/authentication/hardwareOathMethods/assignAndActivateBySerialNumber",
            PERM_USER,
            ROLE_USER,
            "token",
            Needs {
                user: Need::Required,
                resolved_users: Need::Optional,
                time: Need::Required,
                ..NONE
            },
            L_AAS,
        ),
        K::Deactivate => (
            "deactivate",
            "Deactivate a token (it stays assigned)",
            "POST",
            "/users/{user}/authentication/hardwareOathMethods/{deviceId}/deactivate",
            PERM_USER,
            ROLE_USER,
            "token",
            ON_DEVICE,
            L_DEACT,
        ),
        K::Unassign => (
            "unassign",
            "Unassign a token from its user",
            "DELETE",
            "/users/{user}/authentication/hardwareOathMethods/{deviceId}",
            PERM_USER,
            ROLE_USER,
            "token",
            ON_DEVICE,
            L_UNA,
        ),
        K::Delete => (
            "delete",
            "Delete a device from the inventory",
            "DELETE",
            "/directory/authenticationMethodDevices/hardwareOathDevices/{deviceId}",
            PERM_DEVICES,
            ROLE_POLICY,
            "token",
            Needs { device_id: Need::Required, listing: Need::Optional, ..NONE },
            L_DEL,
        ),
        K::UserMethods => (
            "user-methods",
            "List a user's hardware tokens",
            "GET",
            METHODS,
            PERM_USER_READ,
            ROLE_USER_READ,
            "user",
            Needs {
                user: Need::Required,
                resolved_users: Need::Optional,
                ..NONE
            },
            L_ULIST,
        ),
        K::CleanupDuplicate => (
            "cleanup-duplicate",
            "Remove the legacy instance of a token a user holds twice",
            "DELETE",
            "/users/{user}/authentication/hardwareOathMethods/{legacyId}, then /directory/authenticationMethodDevices/hardwareOathDevices/{legacyId}",
            "UserAuthenticationMethod.ReadWrite.All, Policy.ReadWrite.AuthenticationMethod",
            "Authentication Administrator (Privileged Authentication Administrator for admin users), and Authentication Policy Administrator",
            "token",
            Needs {
                user: Need::Required,
                listing: Need::Required,
                user_methods: Need::Required,
                resolved_users: Need::Optional,
                ..NONE
            },
            E_HOWTO,
        ),
    };
    KindInfo {
        name,
        label,
        method,
        path,
        permission,
        role,
        per,
        secrets: matches!(kind, K::Create | K::CreateBulk),
        needs,
        source,
    }
}
