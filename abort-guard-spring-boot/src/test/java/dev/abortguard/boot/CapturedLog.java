package dev.abortguard.boot;

import java.util.List;
import java.util.stream.Collectors;

/** What the application's logging backend wrote, whichever backend it is. */
interface CapturedLog extends AutoCloseable {

    /** One written event: level, logger, message and the throwable's class, if any. */
    record Line(String level, String logger, String message, String throwable) {
        boolean warnOrAbove() {
            return level.equals("WARN") || level.equals("ERROR") || level.equals("FATAL");
        }

        boolean abortLine() {
            return logger.equals("dev.abortguard.server.ClientAbort");
        }

        @Override
        public String toString() {
            return level + " " + logger + " " + message + (throwable == null ? "" : " [" + throwable + "]");
        }
    }

    List<Line> lines();

    void clear();

    @Override
    void close();

    default List<Line> warnings() {
        return lines().stream().filter(Line::warnOrAbove).collect(Collectors.toList());
    }

    default List<Line> abortLines() {
        return lines().stream().filter(Line::abortLine).collect(Collectors.toList());
    }
}
