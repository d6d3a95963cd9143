//! Leap RaaS Request4R encrypted payloads: partner client and gateway. (Being written.)
