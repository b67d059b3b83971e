package dev.abortguard.boot;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Spring Boot client code is the code {@link BootClientRecoveryTest} runs. */
class ReadmeBootSnippetTest {

    @Test
    void theReadmesStatusCheckBeanIsTheTestedOne() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/abortguard/boot/payments/PaymentsApplication.java"));
        Matcher m = Pattern.compile("// tag::status-check\\[]\\n(.*?)\\n\\s*// end::status-check\\[]", Pattern.DOTALL).matcher(source);
        assertThat(m.find()).isTrue();
        String snippet = m.group(1).lines().map(l -> l.startsWith("    ") ? l.substring(4) : l).collect(Collectors.joining("\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains(snippet);
    }
}
