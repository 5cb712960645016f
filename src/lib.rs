//! gradstep: a terminal tutor for gradient descent.
