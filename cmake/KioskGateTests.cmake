# kioskgate_add_test(<name> SOURCES <files...> [LIBS <targets...>]
#                    [KEYRING] [LABELS <labels...>] [TIMEOUT <seconds>])
#
# Builds a QtTest executable and registers it with CTest. KEYRING runs it in a
# private D-Bus session with an unlocked gnome-keyring (tests/with-keyring.sh),
# so keychain tests use the real OS keychain and never touch the user's.
function(kioskgate_add_test name)
    cmake_parse_arguments(ARG "KEYRING" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test kioskgate_flags ${ARG_LIBS})
    set(command $<TARGET_FILE:${name}>)
    if(ARG_KEYRING)
        set(command "${PROJECT_SOURCE_DIR}/tests/with-keyring.sh" ${command})
        list(APPEND ARG_LABELS keyring)
    endif()
    add_test(NAME ${name} COMMAND ${command})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;KIOSKGATE_BIN=$<TARGET_FILE:kioskgate>;KIOSKGATE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
