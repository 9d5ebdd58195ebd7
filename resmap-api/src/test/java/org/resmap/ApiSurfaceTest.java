package org.resmap;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What users of the API can reach: only {@code org.resmap}, and nothing in it names a JNA type, so the
 * transports can change without breaking anybody.
 */
class ApiSurfaceTest {

    @Test
    void theModuleExportsOnlyThePublicPackage() {
        ModuleDescriptor module = ResMap.class.getModule().getDescriptor();
        assertEquals("org.resmap", module.name(), "the tests run inside the named module");
        Set<String> exports = module.exports().stream()
                .map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toSet());
        assertEquals(Set.of("org.resmap"), exports);
        Set<String> opens = module.opens().stream()
                .map(o -> o.source() + " to " + o.targets())
                .collect(Collectors.toSet());
        assertEquals(Set.of("org.resmap.internal to [com.sun.jna]"), opens);
    }

    @Test
    void noPublicSignatureNamesAJnaType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : publicClassesOf("org.resmap")) {
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method.getModifiers())) {
                    check(leaks, method, method.getGenericReturnType());
                    checkParameters(leaks, method);
                }
            }
            for (var constructor : type.getDeclaredConstructors()) {
                if (visible(constructor.getModifiers())) {
                    checkParameters(leaks, constructor);
                }
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers())) {
                    check(leaks, field, field.getGenericType());
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    @Test
    void simAddressesOffsetAndCompareWithoutShowingMoreThanTheirValue() {
        SimAddress base = new SimAddress(0x10000);
        assertEquals(new SimAddress(0x10004), base.plus(4));
        assertEquals(4, base.plus(4).minus(base));
        assertEquals(-0x1000, base.minus(base.plus(0x1000)));
        assertNotEquals(base, base.plus(1));
        assertEquals(base.hashCode(), new SimAddress(0x10000).hashCode());
        assertEquals("0x10000", base.toString());
    }

    private static void checkParameters(List<String> leaks, Executable executable) {
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(leaks, executable, parameter);
        }
    }

    private static void check(List<String> leaks, Object member, Type type) {
        if (type.getTypeName().contains("com.sun.jna")) {
            leaks.add(member + " uses " + type.getTypeName());
        }
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** @return every public top-level and nested class of the package, from the compiled classes */
    private static List<Class<?>> publicClassesOf(String packageName) throws IOException, ClassNotFoundException {
        Path folder = Path.of("target/classes", packageName.split("\\."));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String simple = file.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName(packageName + "." + simple, false, ApiSurfaceTest.class.getClassLoader());
                if (Modifier.isPublic(type.getModifiers())) {
                    classes.add(type);
                }
            }
        }
        assertTrue(classes.contains(KernelCalls.class), "found the compiled classes in " + folder);
        return classes;
    }
}
