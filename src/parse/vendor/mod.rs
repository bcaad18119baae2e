//! Parsers of vendor products' exports, tools and logs: Oracle Policy
//! Management (and its TPD platform), Huawei DC/NMS, OpenScape 4000 AMOs,
//! DMS-100 PRSM and the cluster patch installer.

pub mod alarms;
pub mod amo_patch_catalog;
pub mod amo_patch_file;
pub mod app_rev;
pub mod audit_log;
pub mod backup_repository;
pub mod cluster_config;
pub mod dc_tasks;
pub mod installed_aps;
pub mod kpi;
pub mod ne_comm;
pub mod ne_storage;
pub mod patch_conf;
pub mod patch_err;
pub mod patch_log;
pub mod patch_record;
pub mod patches;
pub mod prsm_autoproc;
pub mod prsm_dests;
pub mod prsm_images;
pub mod prsm_loads;
pub mod prsm_prsus;
pub mod prsm_spm301;
pub mod ssh_key_check;
pub mod syscheck;
pub mod upgrade_log;
