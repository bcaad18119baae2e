//! Parsers of what standard Linux and Unix tools and files print: `df`, `ls -l`,
//! `ping`, checksum lists, `/etc/shadow`, `/etc/login.defs`, PAM and libuser
//! settings, and package folder listings.

pub mod checksum_list;
pub mod df;
pub mod libuser;
pub mod login_defs;
pub mod ls_listing;
pub mod package_listing;
pub mod pam;
pub mod ping;
pub mod shadow;
