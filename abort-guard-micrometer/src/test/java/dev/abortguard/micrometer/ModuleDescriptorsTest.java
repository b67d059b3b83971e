package dev.abortguard.micrometer;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published modules resolve on the module path and export only their API. The tests run on
 * the class path (as most users run the library), so this resolves the very jars and class
 * directories of this build's class path as modules, the way a modular application would see them.
 */
class ModuleDescriptorsTest {

    private static final Set<String> ROOTS =
            Set.of("dev.abortguard.server", "dev.abortguard.client", "dev.abortguard.micrometer");

    @Test
    void eachModuleExportsOnlyItsApiPackages() {
        Map<String, Set<String>> exports = resolve().modules().stream()
                .map(m -> m.reference().descriptor())
                .filter(d -> ROOTS.contains(d.name()))
                .collect(Collectors.toMap(ModuleDescriptor::name, d -> d.exports().stream()
                        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet())));

        assertThat(exports).containsOnly(
                Map.entry("dev.abortguard.server", Set.of("dev.abortguard.server", "dev.abortguard.server.logging")),
                Map.entry("dev.abortguard.client", Set.of("dev.abortguard.client")),
                Map.entry("dev.abortguard.micrometer", Set.of("dev.abortguard.micrometer")));
    }

    @Test
    void theyAreRealModulesNotAutomaticOnes() {
        assertThat(resolve().modules().stream().map(ResolvedModule::reference)
                .filter(r -> ROOTS.contains(r.descriptor().name())))
                .hasSize(3)
                .allSatisfy(r -> assertThat(r.descriptor().isAutomatic()).as(r.descriptor().name()).isFalse());
    }

    @Test
    void optionalIntegrationsAreNotNeededToResolve() {
        // Logback and Log4j 2 (the server's guards) are 'requires static': a modular application
        // without them still resolves the server module
        Set<String> resolved = resolve().modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());

        assertThat(resolved).contains("micrometer.core", "org.apache.httpcomponents.client5.httpclient5")
                .doesNotContain("ch.qos.logback.classic", "org.apache.logging.log4j.core");
    }

    private static Configuration resolve() {
        Path[] mainArtifacts = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(Files::exists)
                // test classes and test jars are not published (and all share one derived name)
                .filter(p -> !p.toString().contains("test-classes") && !p.toString().endsWith("-tests.jar"))
                .toArray(Path[]::new);
        return ModuleLayer.boot().configuration().resolve(ModuleFinder.of(mainArtifacts), ModuleFinder.of(), ROOTS);
    }
}
