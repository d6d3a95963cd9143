//! 4Quays protect/unprotect API: types, policy engine, client and service. (Being written.)
