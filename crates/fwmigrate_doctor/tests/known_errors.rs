//! One test per entry of `known-errors.toml`: a message of that shape, as users meet it (in a
//! traceback's last line, a log line with its prefix, an SDK or server error), is recognised
//! by that entry, and a look-alike that must not be is not. The messages here are written apart
//! from the table's own `examples`, which `known::tests` checks.

use fwmigrate_doctor::known::{classify, table};

/// The entry that recognises `line`, if any.
fn id(line: &str) -> Option<&'static str> {
    classify(line).map(|e| e.id.as_str())
}

/// Every entry has a test below: adding an entry without one fails here.
const TESTED: &[&str] = &[
    "managed-infra-keyword",
    "managed-infra-import",
    "training-shape-resolution",
    "sampling-timeout",
    "checkpoint-not-in-gcs",
    "hotload-failed",
    "hotload-scopes-crossed",
    "hotload-trainer-keyed-elsewhere",
    "hotload-bucket-conflict-create",
    "hotload-bucket-conflict-update",
    "fw-hosted-bucket-url-invalid",
    "fw-hosted-bucket-unreachable",
    "cancel-deleted-job",
    "checkpoint-past-retention",
    "output-model-id-rejected",
    "stale-sdk",
];

#[test]
fn every_entry_has_its_test() {
    let ids: Vec<&str> = table().entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, TESTED);
}

#[test]
fn managed_infra_keyword() {
    for kw in ["infra", "weight_sync", "rlor_mgr", "deploy_mgr"] {
        let line =
            format!("TypeError: Config.__init__() got an unexpected keyword argument '{kw}'");
        assert_eq!(id(&line), Some("managed-infra-keyword"), "{line}");
    }
    // Python 3.9's wording, inside a logger's line.
    assert_eq!(
        id(
            "E0820 12:00:01 launch.py] TypeError: __init__() got an unexpected keyword argument 'infra'"
        ),
        Some("managed-infra-keyword")
    );
    // Another keyword is the stale-SDK entry, not this one; `infra_config` is not `infra`.
    assert_eq!(
        id("TypeError: Config.__init__() got an unexpected keyword argument 'infra_config'"),
        Some("stale-sdk")
    );
}

#[test]
fn managed_infra_import() {
    for (name, module) in [
        ("setup_infra", "training.utils"),
        ("ResourceCleanup", "training.utils"),
        ("create_trainer_job", "training.utils.infra"),
        ("setup_deployment", "training_cookbook.utils"),
    ] {
        let line = format!(
            "ImportError: cannot import name '{name}' from '{module}' (/srv/cookbook/training/utils/__init__.py)"
        );
        assert_eq!(id(&line), Some("managed-infra-import"), "{line}");
    }
    assert_eq!(
        id("ModuleNotFoundError: No module named 'training.utils.infra'"),
        Some("managed-infra-import")
    );
    // The cookbook package missing altogether is not a migration.
    assert_eq!(id("ModuleNotFoundError: No module named 'training'"), None);
    // A name missing from the SDK is a stale SDK.
    assert_eq!(
        id("ImportError: cannot import name 'DeploymentSampler' from 'fireworks.training.sdk'"),
        Some("stale-sdk")
    );
}

#[test]
fn training_shape_resolution() {
    assert_eq!(
        id("RuntimeError: Failed to resolve latest validated training shape"),
        Some("training-shape-resolution")
    );
    assert_eq!(
        id(
            "2026-08-20 10:00:00,123 ERROR training.utils.infra: failed to resolve latest validated training shape accounts/fireworks/trainingShapes/ts-qwen3-8b"
        ),
        Some("training-shape-resolution")
    );
}

#[test]
fn sampling_timeout() {
    for line in [
        "training.utils.rl.DeploymentSamplerTimeoutError: timed out after 3 retries",
        "httpx.HTTPStatusError: Client error '408 Request Timeout' for url 'https://api.fireworks.ai/inference/v1/chat/completions'",
        "WARNING rollout: sampler returned status 504; retrying in 2.0s",
        "httpcore.ReadTimeout: timed out",
    ] {
        assert_eq!(id(line), Some("sampling-timeout"), "{line}");
    }
    // A 504 elsewhere in a number is not a status.
    assert_eq!(id("step 1504 loss 0.408"), None);
}

#[test]
fn checkpoint_not_in_gcs() {
    assert_eq!(
        id(
            "RuntimeError: promote failed: checkpoint \"accounts/a/rlorTrainerJobs/t/checkpoints/step-8\" not found in GCS"
        ),
        Some("checkpoint-not-in-gcs")
    );
    assert_eq!(
        id("NOT_FOUND: checkpoint step-8 not found in GCS"),
        Some("checkpoint-not-in-gcs")
    );
}

#[test]
fn hotload_failed() {
    for line in [
        "WeightSyncError: Hotload failed for snapshot snap-0042 (current: snap-0041)",
        "RuntimeError: Hotload did not complete within 600 seconds",
        "ERROR training.utils.rl: Sampler deployment failed to load latest trainer weights after step 12",
    ] {
        assert_eq!(id(line), Some("hotload-failed"), "{line}");
    }
}

#[test]
fn hotload_scopes_crossed() {
    assert_eq!(
        id(
            "fireworks.training.sdk.errors.FailedPreconditionError: hotload flow mismatch: trainer wants deployment-first (hot_load_deployment_id=d1) but deployment d1 is trainer-first"
        ),
        Some("hotload-scopes-crossed")
    );
}

#[test]
fn hotload_trainer_keyed_elsewhere() {
    assert_eq!(
        id(
            "hotload flow mismatch: trainer accounts/a/rlorTrainerJobs/abc is deployment-first-keyed for deployment accounts/a/deployments/other"
        ),
        Some("hotload-trainer-keyed-elsewhere")
    );
}

#[test]
fn hotload_bucket_conflict_create() {
    assert_eq!(
        id(
            "400 INVALID_ARGUMENT: deployment.hot_load_bucket_url (gs://x/rl-checkpoints/a) conflicts with hot_load_trainer_job (t1); set exactly one"
        ),
        Some("hotload-bucket-conflict-create")
    );
}

#[test]
fn hotload_bucket_conflict_update() {
    assert_eq!(
        id(
            "400 INVALID_ARGUMENT: hot_load_bucket_url gs://x/rl-checkpoints/a conflicts with hot_load_trainer_job t2; update hot_load_trainer_job instead, or clear it first"
        ),
        Some("hotload-bucket-conflict-update")
    );
}

#[test]
fn fw_hosted_bucket_url_invalid() {
    for line in [
        "INVALID_ARGUMENT: invalid FW_HOSTED hot_load_bucket_url: parse error",
        "hot_load_bucket_url https://storage.googleapis.com/b/x must use gs:// scheme",
        "invalid hot_load_bucket_url gs://b/weights: path must start with rl-checkpoints/",
    ] {
        assert_eq!(id(line), Some("fw-hosted-bucket-url-invalid"), "{line}");
    }
}

#[test]
fn fw_hosted_bucket_unreachable() {
    for line in [
        "UNAVAILABLE: configured FW_HOSTED hot_load bucket is not reachable: gs://fw-acct-models",
        "PERMISSION_DENIED: the control plane lacks permission on bucket fw-acct-models",
    ] {
        assert_eq!(id(line), Some("fw-hosted-bucket-unreachable"), "{line}");
    }
}

#[test]
fn cancel_deleted_job() {
    let line = "WARNING cleanup: cannot cancel job in state: JOB_STATE_DELETED (accounts/a/rlorTrainerJobs/t)";
    assert_eq!(id(line), Some("cancel-deleted-job"));
    assert!(classify(line).unwrap().benign);
    // The only benign entry.
    let benign: Vec<&str> = table()
        .entries
        .iter()
        .filter(|e| e.benign)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(benign, ["cancel-deleted-job"]);
}

#[test]
fn checkpoint_past_retention() {
    for line in [
        "list_checkpoints(accounts/a/rlorTrainerJobs/old) failed: NOT_FOUND",
        "grpc._channel._InactiveRpcError: status = StatusCode.NOT_FOUND details = \"PromoteCheckpoint: checkpoint not found\"",
    ] {
        assert_eq!(id(line), Some("checkpoint-past-retention"), "{line}");
    }
    // NOT_FOUND about something else is not this.
    assert_eq!(id("NOT_FOUND: deployment accounts/a/deployments/d"), None);
}

#[test]
fn output_model_id_rejected() {
    for line in [
        "httpx.HTTPStatusError: Client error '400 Bad Request' (output_model_id: Qwen3_8B_RL.final)",
        "fireworks.training.sdk.errors.InvalidArgumentError: output_model_id \"accounts/a/models/m\" is invalid",
    ] {
        assert_eq!(id(line), Some("output-model-id-rejected"), "{line}");
    }
}

#[test]
fn stale_sdk() {
    for line in [
        "TypeError: FiretitanServiceClient.__init__() got an unexpected keyword argument 'concurrency_controller'",
        "ValueError: unknown field 'weight_sync_scope' for DeployConfig",
        "AttributeError: module 'fireworks.training.sdk' has no attribute 'build_service_client'",
        "ModuleNotFoundError: No module named 'fireworks.training.sdk.deployment_sampler'",
    ] {
        assert_eq!(id(line), Some("stale-sdk"), "{line}");
    }
    let e = table().get("stale-sdk").unwrap();
    assert!(e.rules.iter().any(|r| r == "FW502"));
}
