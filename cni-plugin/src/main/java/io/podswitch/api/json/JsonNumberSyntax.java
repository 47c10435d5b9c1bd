package io.podswitch.api.json;

/** The JSON number grammar (RFC 8259 §6): {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
final class JsonNumberSyntax {
    private JsonNumberSyntax() {
    }

    static boolean isValid(String text) {
        return text != null && !text.isEmpty() && scan(text, 0) == text.length();
    }

    /**
     * Scans a number starting at {@code start}; returns the index after it, or {@code -(index + 1)} of
     * the first offending character when the literal is malformed.
     */
    static int scan(CharSequence s, int start) {
        int i = start;
        int n = s.length();
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return -(i + 1);
        }
        char c = s.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        } else {
            return -(i + 1);
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            if (i >= n || !isDigit(s.charAt(i))) {
                return -(i + 1);
            }
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (i >= n || !isDigit(s.charAt(i))) {
                return -(i + 1);
            }
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
