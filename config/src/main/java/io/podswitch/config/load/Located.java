package io.podswitch.config.load;

/** A value read from the file together with where it was written and the field path that names it. */
public record Located<T>(T value, SourcePosition position, String path) {
}
