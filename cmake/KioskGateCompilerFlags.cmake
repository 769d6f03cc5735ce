# Warning, hardening and sanitizer flags shared by every KioskGate target.
add_library(kioskgate_flags INTERFACE)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(kioskgate_flags INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
    if(KIOSKGATE_WERROR)
        target_compile_options(kioskgate_flags INTERFACE -Werror)
    endif()
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        # Qt's logging macros (qCWarning(category) << ...) expand to a
        # variadic macro called without variadic arguments.
        target_compile_options(kioskgate_flags INTERFACE -Wno-gnu-zero-variadic-macro-arguments)
    endif()
    if(KIOSKGATE_COMPRESS_DEBUG_INFO AND NOT APPLE AND NOT WIN32)
        target_compile_options(kioskgate_flags INTERFACE -gz)
        target_link_options(kioskgate_flags INTERFACE -gz)
    endif()
    if(KIOSKGATE_SANITIZE)
        target_compile_options(kioskgate_flags INTERFACE
            -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
        target_link_options(kioskgate_flags INTERFACE -fsanitize=address,undefined)
    endif()
    if(KIOSKGATE_TSAN)
        target_compile_options(kioskgate_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
        target_link_options(kioskgate_flags INTERFACE -fsanitize=thread)
    endif()
    if(KIOSKGATE_FUZZ)
        if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
            message(FATAL_ERROR "KIOSKGATE_FUZZ needs clang (libFuzzer); use the preset `fuzz`")
        endif()
        # Coverage feedback for everything the targets link; the fuzzer
        # runtime itself is linked into the fuzz binaries only.
        target_compile_options(kioskgate_flags INTERFACE
            -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
            -fno-sanitize-recover=undefined)
        target_link_options(kioskgate_flags INTERFACE -fsanitize=address,undefined)
    endif()
    # Hardening for optimised builds: fortified libc calls, stack protector,
    # full RELRO and a position-independent executable.
    target_compile_options(kioskgate_flags INTERFACE
        $<$<CONFIG:Release,RelWithDebInfo>:-D_FORTIFY_SOURCE=2 -fstack-protector-strong>)
    target_link_options(kioskgate_flags INTERFACE
        $<$<CONFIG:Release,RelWithDebInfo>:-Wl,-z,relro,-z,now>)
elseif(MSVC)
    target_compile_options(kioskgate_flags INTERFACE /W4 /permissive- $<$<BOOL:${KIOSKGATE_WERROR}>:/WX>)
endif()

target_compile_definitions(kioskgate_flags INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_DISABLE_DEPRECATED_BEFORE=0x060400)
