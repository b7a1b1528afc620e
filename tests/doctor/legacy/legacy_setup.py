"""Provisioning by hand, as before 2026.06: setup_infra is gone from training.utils."""

from training.utils import InfraConfig, setup_infra

infra = setup_infra(infra_cfg=InfraConfig())
print(infra.policy_job_id)
