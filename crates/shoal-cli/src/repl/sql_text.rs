//! A small SQL lexer for the REPL: where strings, comments and `;` are, so it can tell a complete
//! statement, split input into statements, highlight it and find what the cursor is on.

/// What a piece of SQL text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword.
    Word,
    /// A numeric literal.
    Number,
    /// A `'...'` string; `closed` is false when the text ends inside it.
    String {
        closed: bool,
    },
    /// A `"..."` quoted identifier.
    QuotedIdent {
        closed: bool,
    },
    /// `-- ...` or `/* ... */`.
    Comment {
        closed: bool,
    },
    Semicolon,
    Whitespace,
    /// Any other character (operators, parentheses, `.`, `,`).
    Punct,
}

/// One token: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// True for tokens that carry no meaning (whitespace and comments).
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::Comment { .. })
    }

    /// True when the text ends inside this token (an open string, identifier or comment).
    pub fn is_open(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::String { closed: false }
                | TokenKind::QuotedIdent { closed: false }
                | TokenKind::Comment { closed: false }
        )
    }
}

/// Split `text` into tokens covering every byte.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let kind = match c {
            b'\'' | b'"' => {
                let (end, closed) = quoted_end(bytes, i, c);
                i = end;
                if c == b'\'' {
                    TokenKind::String { closed }
                } else {
                    TokenKind::QuotedIdent { closed }
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p);
                TokenKind::Comment { closed: true }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(p) => {
                    i += 2 + p + 2;
                    TokenKind::Comment { closed: true }
                }
                None => {
                    i = bytes.len();
                    TokenKind::Comment { closed: false }
                }
            },
            b';' => {
                i += 1;
                TokenKind::Semicolon
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                TokenKind::Number
            }
            c if c.is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                TokenKind::Whitespace
            }
            c if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric() || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                TokenKind::Word
            }
            _ => {
                i += 1;
                TokenKind::Punct
            }
        };
        tokens.push(Token { kind, start, end: i });
    }
    tokens
}

/// End of a quoted token starting at `start` (a doubled quote is an escaped quote).
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> (usize, bool) {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return (i + 1, true);
        }
        i += 1;
    }
    (bytes.len(), false)
}

/// End of a number: digits, an optional fraction and an optional exponent.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1 + sign);
        }
    }
    i
}

/// True when `input` is ready to run: a meta-command (first non-blank character `\`), blank
/// input, or SQL whose last meaningful token is a `;` outside strings and comments.
pub fn is_complete(input: &str) -> bool {
    let trimmed = input.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('\\') {
        return true;
    }
    let tokens = tokenize(input);
    if tokens.iter().any(Token::is_open) {
        return false;
    }
    tokens.iter().rev().find(|t| !t.is_trivia()).is_some_and(|t| t.kind == TokenKind::Semicolon)
}

/// The statements of `input`, split at `;` outside strings and comments, trimmed; pieces with
/// nothing but whitespace and comments are dropped.
pub fn split_statements(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut meaningful = false;
    let tokens = tokenize(input);
    for t in &tokens {
        match t.kind {
            TokenKind::Semicolon => {
                if meaningful {
                    out.push(input[piece_start..t.start].trim().to_string());
                }
                piece_start = t.end;
                meaningful = false;
            }
            _ if t.is_trivia() => {}
            _ => meaningful = true,
        }
    }
    if meaningful {
        out.push(input[piece_start..].trim().to_string());
    }
    out
}

/// The first word of a statement, upper-cased (`SELECT`, `WITH`, `CREATE`, ...).
pub fn first_keyword(statement: &str) -> String {
    tokenize(statement)
        .into_iter()
        .find(|t| !t.is_trivia())
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| statement[t.start..t.end].to_ascii_uppercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_needs_a_semicolon_outside_quotes_and_comments() {
        assert!(is_complete("SELECT 1;"));
        assert!(is_complete("SELECT 1;  -- done\n"));
        assert!(is_complete("SELECT\n  1\n;"));
        assert!(!is_complete("SELECT 1"));
        assert!(!is_complete("SELECT ';"));
        assert!(!is_complete("SELECT 'a'';"));
        assert!(is_complete("SELECT 'a'';';"));
        assert!(is_complete("SELECT 1; -- x ;"));
        assert!(!is_complete("SELECT 1 -- ;"));
        assert!(!is_complete("SELECT 1 /* ; */"));
        assert!(!is_complete("SELECT 1; /* open"));
        assert!(!is_complete("SELECT \"a;"));
        assert!(!is_complete("SELECT 1; SELECT 2"));
        assert!(is_complete("\\d trips"));
        assert!(is_complete("   \\q"));
        assert!(is_complete(""));
    }

    #[test]
    fn statements_split_at_top_level_semicolons() {
        assert_eq!(
            split_statements("SELECT 'a;b';\n SELECT 2 -- c;\n;;  /* only */ ;"),
            vec!["SELECT 'a;b'".to_string(), "SELECT 2 -- c;".to_string()]
        );
        assert_eq!(split_statements("SELECT 1"), vec!["SELECT 1".to_string()]);
        assert!(split_statements(" -- nothing\n").is_empty());
    }

    #[test]
    fn tokens_cover_numbers_strings_and_words() {
        let text = "select 1.5e3, 'x' from t";
        let kinds: Vec<(TokenKind, &str)> = tokenize(text)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (TokenKind::Word, "select"),
                (TokenKind::Number, "1.5e3"),
                (TokenKind::Punct, ","),
                (TokenKind::String { closed: true }, "'x'"),
                (TokenKind::Word, "from"),
                (TokenKind::Word, "t"),
            ]
        );
        assert_eq!(first_keyword("  with x as (select 1) select * from x"), "WITH");
    }
}
