//! A one-line text editor for formulas, start points and answers: cursor movement, the usual
//! readline edits, and a history walked with Up/Down. Which key does which edit is in
//! [`super::keys`]; this only knows the edits.

use super::keys::LineMsg;

/// The longest line accepted; the formula limit is 1000 characters, leave room for a paste.
pub const MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editor {
    chars: Vec<char>,
    /// Cursor position, in characters (0 ..= len).
    cursor: usize,
    history: Vec<String>,
    /// Position while walking the history; None when editing a fresh line.
    walking: Option<usize>,
    /// The fresh line, kept while walking the history.
    draft: Vec<char>,
}

/// What an edit did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Ignored,
}

impl Editor {
    pub fn new(text: &str, history: Vec<String>) -> Editor {
        let chars: Vec<char> = text.chars().take(MAX_CHARS).collect();
        Editor {
            cursor: chars.len(),
            chars,
            history,
            walking: None,
            draft: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn set(&mut self, chars: Vec<char>) {
        self.chars = chars;
        self.cursor = self.chars.len();
    }

    /// Inserts text at the cursor (typing or a paste); control characters become spaces.
    pub fn insert(&mut self, s: &str) -> Edit {
        let room = MAX_CHARS.saturating_sub(self.chars.len());
        let add: Vec<char> = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(room)
            .collect();
        if add.is_empty() {
            return Edit::Ignored;
        }
        let n = add.len();
        self.chars.splice(self.cursor..self.cursor, add);
        self.cursor += n;
        Edit::Changed
    }

    pub fn apply(&mut self, edit: &LineMsg) -> Edit {
        match edit {
            LineMsg::Insert(text) => self.insert(text),
            LineMsg::Home => self.go(0),
            LineMsg::End => self.go(self.chars.len()),
            LineMsg::Left => self.go(self.cursor.saturating_sub(1)),
            LineMsg::Right => self.go((self.cursor + 1).min(self.chars.len())),
            LineMsg::DeleteToStart => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
                Edit::Changed
            }
            LineMsg::DeleteToEnd => {
                self.chars.truncate(self.cursor);
                Edit::Changed
            }
            LineMsg::DeleteWord => {
                let mut start = self.cursor;
                while start > 0 && self.chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && self.chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.chars.drain(start..self.cursor);
                self.cursor = start;
                Edit::Changed
            }
            LineMsg::DeleteBack if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                Edit::Changed
            }
            LineMsg::DeleteForward if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                Edit::Changed
            }
            LineMsg::DeleteBack | LineMsg::DeleteForward => Edit::Ignored,
            LineMsg::Older => self.walk(true),
            LineMsg::Newer => self.walk(false),
        }
    }

    fn go(&mut self, to: usize) -> Edit {
        self.cursor = to;
        Edit::Moved
    }

    /// Up goes to older entries, Down back towards the line being typed.
    fn walk(&mut self, older: bool) -> Edit {
        if self.history.is_empty() {
            return Edit::Ignored;
        }
        let last = self.history.len() - 1;
        let next = match (self.walking, older) {
            (None, true) => {
                self.draft = self.chars.clone();
                Some(last)
            }
            (None, false) => return Edit::Ignored,
            (Some(0), true) => Some(0),
            (Some(i), true) => Some(i - 1),
            (Some(i), false) if i >= last => None,
            (Some(i), false) => Some(i + 1),
        };
        self.walking = next;
        let chars = match next {
            Some(i) => self.history[i].chars().collect(),
            None => std::mem::take(&mut self.draft),
        };
        self.set(chars);
        Edit::Changed
    }
}

/// Adds a line to a history, most recent last, without repeating the latest entry.
pub fn remember(history: &mut Vec<String>, line: &str) {
    let line = line.trim();
    if line.is_empty() || history.last().is_some_and(|l| l == line) {
        return;
    }
    history.push(line.to_string());
    if history.len() > 100 {
        history.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_moving_and_deleting() {
        let mut e = Editor::new("x^2", vec![]);
        e.apply(&LineMsg::Left);
        e.apply(&LineMsg::Left);
        e.apply(&LineMsg::DeleteBack);
        assert_eq!(e.text(), "^2");
        e.insert("y");
        assert_eq!((e.text().as_str(), e.cursor()), ("y^2", 1));
        e.apply(&LineMsg::End);
        e.insert(" + θ");
        assert_eq!(e.text(), "y^2 + θ");
        e.apply(&LineMsg::DeleteWord);
        assert_eq!(e.text(), "y^2 + ");
        assert_eq!(e.apply(&LineMsg::DeleteForward), Edit::Ignored);
        assert_eq!(e.apply(&LineMsg::Home), Edit::Moved);
        assert_eq!(e.apply(&LineMsg::DeleteToEnd), Edit::Changed);
        assert_eq!(e.text(), "");
    }

    #[test]
    fn history_walks_and_returns_to_the_draft() {
        let mut e = Editor::new("draft", vec!["a".into(), "b".into()]);
        e.apply(&LineMsg::Older);
        assert_eq!(e.text(), "b");
        e.apply(&LineMsg::Older);
        e.apply(&LineMsg::Older);
        assert_eq!(e.text(), "a");
        e.apply(&LineMsg::Newer);
        assert_eq!(e.text(), "b");
        e.apply(&LineMsg::Newer);
        assert_eq!(e.text(), "draft");
    }

    #[test]
    fn pastes_are_bounded_and_cleaned() {
        let mut e = Editor::new("", vec![]);
        e.insert("x\n+\ty");
        assert_eq!(e.text(), "x + y");
        e.insert(&"z".repeat(5000));
        assert_eq!(e.text().chars().count(), MAX_CHARS);
    }
}
