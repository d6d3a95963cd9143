//! TrueLayer request signing v2 (ES512 detached JWS over the HTTP request). (Being written.)
