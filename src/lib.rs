//! gradstep: a terminal tutor for gradient descent.
//!
//! - `ssh`  `gradstep serve`: russh server, one tutor session per connection, bytes → keys, limits
pub mod ssh;
