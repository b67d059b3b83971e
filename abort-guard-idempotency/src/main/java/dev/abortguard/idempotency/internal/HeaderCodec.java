package dev.abortguard.idempotency.internal;

import dev.abortguard.idempotency.StoredResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Headers as one text value for a column or a hash field: each name and value as its length in
 * characters, a colon, then the characters. Length prefixes instead of separators, so no character a
 * header may hold can break the framing, and the order is the list's.
 */
public final class HeaderCodec {

    private HeaderCodec() {
    }

    /**
     * Encodes.
     *
     * @param headers the headers
     * @return the text
     */
    public static String encode(List<StoredResponse.Header> headers) {
        StringBuilder out = new StringBuilder();
        for (StoredResponse.Header header : headers) {
            out.append(header.name().length()).append(':').append(header.name());
            out.append(header.value().length()).append(':').append(header.value());
        }
        return out.toString();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @param text the text
     * @return the headers
     * @throws IllegalStateException when the text is not an encoding (a corrupted record)
     */
    public static List<StoredResponse.Header> decode(String text) {
        List<StoredResponse.Header> headers = new ArrayList<>();
        int[] at = {0};
        while (at[0] < text.length()) {
            String name = next(text, at);
            String value = next(text, at);
            headers.add(new StoredResponse.Header(name, value));
        }
        return headers;
    }

    private static String next(String text, int[] at) {
        int colon = text.indexOf(':', at[0]);
        if (colon < 0) {
            throw new IllegalStateException("corrupted header encoding at " + at[0]);
        }
        int length;
        try {
            length = Integer.parseInt(text, at[0], colon, 10);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("corrupted header encoding at " + at[0], e);
        }
        int end = colon + 1 + length;
        if (length < 0 || end > text.length()) {
            throw new IllegalStateException("corrupted header encoding at " + at[0]);
        }
        at[0] = end;
        return text.substring(colon + 1, end);
    }
}
