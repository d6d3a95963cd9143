//! Klarna XS2A secure communication: JWS inside JWE, replay prevention. (Being written.)
