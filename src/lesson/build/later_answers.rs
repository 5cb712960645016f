//! Which later questions a page must not answer on its Numbers panel. Masks hide a question's
//! quantity on its own page while it is open; linear regression's first page, at the same
//! point as the next two, showed ∇J and θ next, their answers, to anyone who paged back (and
//! so did the first pages of slope, opening, partial-derivatives, slp-logistic and
//! batch-minibatch). The lesson knows which pages open in the same state, so it works this out
//! itself rather than asking every author for a `hide` list that goes stale when a start
//! point changes; the tutor hides the quantity until the later question is solved or shown.
//! The same holds forwards: linear regression's third page opens where the second asks ∇J,
//! so a learner who paged on past that question read its answer there; a page hides what
//! any other page at its state still asks.

use crate::lesson::exercise::Asks;
use crate::lesson::predict::Step;
use crate::lesson::{Later, Page};

/// The state a page opens in, as far as the panel's numbers go: θ, ∇L, L, η and θ next of a
/// fresh run of its scene. None for a page that keeps the learner's run (`continue = true`),
/// whose numbers depend on what the learner did, and for a scene that cannot start.
fn opening(page: &Page) -> Option<(Step, f64)> {
    if page.continues {
        return None;
    }
    let run = page.scene.run().ok()?;
    Some((Step::of(&run), run.current().value))
}

/// Fills each page's `later`: the questions of the other pages (before or after it) that ask a
/// quantity of the run at the same opening state, which this page's panel would otherwise
/// show. A page whose own
/// question asks the same quantity has the same answer, so it gives nothing away.
pub(super) fn link(pages: &mut [Page]) {
    let states: Vec<_> = pages.iter().map(opening).collect();
    for i in 0..pages.len() {
        let Some(here) = &states[i] else { continue };
        let own = pages[i].exercise.as_ref().map(|e| e.asks);
        let mut later = Vec::new();
        for (j, p) in pages.iter().enumerate().filter(|&(j, _)| j != i) {
            let (Some(ex), Some(id)) = (&p.exercise, &p.exercise_id) else {
                continue;
            };
            if matches!(
                ex.asks,
                Asks::Gradient | Asks::Loss | Asks::Step | Asks::Next
            ) && own != Some(ex.asks)
                && states[j].as_ref() == Some(here)
            {
                later.push(Later {
                    page: j,
                    exercise_id: id.clone(),
                    asks: ex.asks,
                });
            }
        }
        pages[i].later = later;
    }
}
