//! A one-line text editor for formulas, start points and answers: cursor movement, the usual
//! readline keys, and a history walked with Up/Down.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Submit,
    Cancel,
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

    pub fn key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Esc => Edit::Cancel,
            KeyCode::Char('c') if ctrl => Edit::Cancel,
            KeyCode::Char('a') if ctrl => self.go(0),
            KeyCode::Char('e') if ctrl => self.go(self.chars.len()),
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
                Edit::Changed
            }
            KeyCode::Char('k') if ctrl => {
                self.chars.truncate(self.cursor);
                Edit::Changed
            }
            KeyCode::Char('w') if ctrl => {
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
            KeyCode::Char(c) if !ctrl => self.insert(&c.to_string()),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                Edit::Changed
            }
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                Edit::Changed
            }
            KeyCode::Left => self.go(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.go((self.cursor + 1).min(self.chars.len())),
            KeyCode::Home => self.go(0),
            KeyCode::End => self.go(self.chars.len()),
            KeyCode::Up => self.walk(true),
            KeyCode::Down => self.walk(false),
            _ => Edit::Ignored,
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

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_moving_and_deleting() {
        let mut e = Editor::new("x^2", vec![]);
        e.key(key(KeyCode::Left));
        e.key(key(KeyCode::Left));
        e.key(key(KeyCode::Backspace));
        assert_eq!(e.text(), "^2");
        e.insert("y");
        assert_eq!((e.text().as_str(), e.cursor()), ("y^2", 1));
        e.key(key(KeyCode::End));
        e.insert(" + θ");
        assert_eq!(e.text(), "y^2 + θ");
        e.key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "y^2 + ");
        assert_eq!(e.key(key(KeyCode::Enter)), Edit::Submit);
        assert_eq!(e.key(key(KeyCode::Esc)), Edit::Cancel);
    }

    #[test]
    fn history_walks_and_returns_to_the_draft() {
        let mut e = Editor::new("draft", vec!["a".into(), "b".into()]);
        e.key(key(KeyCode::Up));
        assert_eq!(e.text(), "b");
        e.key(key(KeyCode::Up));
        e.key(key(KeyCode::Up));
        assert_eq!(e.text(), "a");
        e.key(key(KeyCode::Down));
        assert_eq!(e.text(), "b");
        e.key(key(KeyCode::Down));
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
