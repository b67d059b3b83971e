package dev.abortguard.examples.boot;

import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.server.ClientAbortClassifier;
import dev.abortguard.server.ClientAbortFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** README.md's snippets compile (they live in {@link ReadmeSnippets}), run, and are still in the README. */
class ReadmeSnippetsTest {

    private static final Path ROOT = Path.of("../..");

    private static String readme() throws Exception {
        return Files.readString(ROOT.resolve("README.md"));
    }

    private static Map<String, String> taggedRegions() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/abortguard/examples/boot/ReadmeSnippets.java"));
        Matcher m = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]", Pattern.DOTALL).matcher(source);
        Map<String, String> regions = new LinkedHashMap<>();
        while (m.find()) {
            regions.put(m.group(1), dedent(m.group(2)));
        }
        return regions;
    }

    private static String dedent(String block) {
        List<String> lines = block.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return String.join("\n", out);
    }

    @Test
    void everyJavaSnippetIsInTheReadmeVerbatim() throws Exception {
        String readme = readme();
        Map<String, String> regions = taggedRegions();
        assertEquals(List.of("server-programmatic", "server-spring", "server-handler", "client-policy", "client-restclient"),
                List.copyOf(regions.keySet()));
        regions.forEach((tag, code) -> assertTrue(readme.contains(code), "README.md lacks the current '" + tag + "' snippet:\n" + code));
    }

    @Test
    void theFirstCodeBlocksAreTheDemosAndTheNextTheTestCommandThatCiRuns() throws Exception {
        Matcher blocks = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(readme());
        for (String jar : List.of("examples/seed-demo/target/seed-demo.jar", "examples/overload-demo/target/overload-demo.jar")) {
            assertTrue(blocks.find());
            String demo = blocks.group(1).strip();
            assertTrue(demo.contains("java -jar " + jar), demo);
            assertFalse(demo.contains("\n"), "one line to paste");
            assertTrue(Files.exists(ROOT.resolve(jar).getParent().getParent().resolve("pom.xml")), jar);
        }
        assertTrue(blocks.find());
        assertEquals("mvn -B verify", blocks.group(1).strip());
        assertTrue(Files.readString(ROOT.resolve(".ci/run")).contains("\nmvn -B verify\n"), ".ci/run runs the README's test command");
    }

    @Test
    void webXmlSnippetIsInTheReadmeAndItsInitParamsAreAccepted() throws Exception {
        String xml = Files.readString(Path.of("src/test/resources/readme/web.xml")).strip();
        assertTrue(readme().contains(xml), "README.md lacks the current web.xml snippet");
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(("<web-app>" + xml + "</web-app>").getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
        NodeList params = root.getElementsByTagName("init-param");
        Map<String, String> init = new LinkedHashMap<>();
        for (int i = 0; i < params.getLength(); i++) {
            Element p = (Element) params.item(i);
            init.put(p.getElementsByTagName("param-name").item(0).getTextContent(),
                    p.getElementsByTagName("param-value").item(0).getTextContent());
        }
        assertEquals(3, init.size());
        ClientAbortFilter filter = new ClientAbortFilter();
        filter.init(config(init));
        filter.destroy();
    }

    @Test
    void snippetsRun() throws Exception {
        ServletContext servletContext = mock(ServletContext.class);
        FilterRegistration.Dynamic registration = mock(FilterRegistration.Dynamic.class);
        when(servletContext.addFilter(eq("clientAbortFilter"), any(jakarta.servlet.Filter.class))).thenReturn(registration);
        assertNotNull(ReadmeSnippets.programmatic(servletContext, new SimpleMeterRegistry()));
        verify(registration).setAsyncSupported(true);
        verify(registration).addMappingForUrlPatterns(any(), anyBoolean(), eq("/*"));

        try (CloseableHttpClient client = ReadmeSnippets.clientPolicy("http://127.0.0.1:1", new SimpleMeterRegistry())) {
            assertNotNull(ReadmeSnippets.restClient(client));
        }
    }

    /**
     * Issue 15, item 11: every Java block of the README lives, line for line, in a test source of
     * this repository (where it is compiled, and run as far as it can be), so none can drift unseen.
     */
    @Test
    void everyJavaBlockOfTheReadmeIsInATestSource() throws Exception {
        Matcher blocks = Pattern.compile("```java\n(.*?)\n```", Pattern.DOTALL).matcher(readme());
        List<String> sources = new ArrayList<>();
        try (var files = Files.walk(ROOT)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/test/java/")).filter(f -> !f.toString().contains("/target/"))::iterator) {
                sources.add(normalized(Files.readString(file)));
            }
        }
        List<String> homeless = new ArrayList<>();
        while (blocks.find()) {
            String block = normalized(blocks.group(1));
            if (sources.stream().noneMatch(source -> source.contains(block))) {
                homeless.add(blocks.group(1));
            }
        }
        assertTrue(homeless.isEmpty(), "README Java blocks found in no test source:\n" + String.join("\n----\n", homeless));
    }

    /** Each line stripped of its indentation, blank lines dropped: a block indented in a method still matches. */
    private static String normalized(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.append(line.strip()).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void everyPublicSettingIsInTheConfigurationReference() throws Exception {
        String readme = readme();
        for (Class<?> builder : List.of(ClientAbortFilter.Builder.class, TimeoutRecoveryPolicy.Builder.class,
                ClientAbortClassifier.Builder.class)) {
            for (Method method : builder.getDeclaredMethods()) {
                if (Modifier.isPublic(method.getModifiers()) && !method.getName().equals("build")) {
                    assertTrue(readme.contains("`" + method.getName() + "("),
                            "README.md configuration reference lacks " + builder.getSimpleName() + "." + method.getName());
                }
            }
        }
        // settings that are constructor arguments rather than builder methods
        for (Class<?> metrics : List.of(dev.abortguard.server.AbortCounters.class, dev.abortguard.micrometer.MicrometerAbortMetrics.class)) {
            for (java.lang.reflect.Constructor<?> constructor : metrics.getConstructors()) {
                if (constructor.getParameterCount() > 0 && constructor.getParameterTypes()[constructor.getParameterCount() - 1] == int.class) {
                    assertTrue(readme.contains("`new " + metrics.getSimpleName() + "(") && readme.contains("maxRoutes"),
                            "README.md configuration reference lacks " + metrics.getSimpleName() + "'s maxRoutes");
                }
            }
        }
    }

    private static FilterConfig config(Map<String, String> params) {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "clientAbortFilter";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        };
    }
}
