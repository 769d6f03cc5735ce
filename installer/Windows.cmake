# Windows: a GUI-subsystem kioskgate.exe with icon and version resource, a
# console-subsystem twin kioskgate.com for the command line, and the DLLs
# that neither windeployqt nor the linker brings along (OpenSSL, vcpkg's).
set(KIOSKGATE_CLIENT_INSTALL_DIR "client")

# The version block and icon, for both executables.
function(kioskgate_add_windows_resources target filename)
    set(KIOSKGATE_RC_FILENAME "${filename}")
    set(rc "${CMAKE_CURRENT_BINARY_DIR}/windows/${target}.rc")
    configure_file("${PROJECT_SOURCE_DIR}/resources/windows/kioskgate.rc.in" "${rc}" @ONLY)
    target_sources(${target} PRIVATE "${rc}")
    set_source_files_properties("${rc}" PROPERTIES OBJECT_DEPENDS "${KIOSKGATE_ICO_FILE}")
endfunction()

# Without a console, Explorer and the Start menu open no black window behind
# the console window.
set_target_properties(kioskgate PROPERTIES WIN32_EXECUTABLE ON)
kioskgate_add_windows_resources(kioskgate kioskgate.exe)

# A GUI-subsystem program cannot write to the console it was started from
# (cmd.exe does not wait for it, and its output goes nowhere). The same
# sources built for the console subsystem as kioskgate.com sit next to
# kioskgate.exe: typing `kioskgate token list` in cmd or PowerShell finds the
# .com first (PATHEXT lists .COM before .EXE), waits for it and shows its
# output and exit status; shortcuts start kioskgate.exe.
option(KIOSKGATE_WINDOWS_CONSOLE_TWIN "Build kioskgate.com for the command line" ON)
if(KIOSKGATE_WINDOWS_CONSOLE_TWIN)
    get_target_property(app_dir kioskgate SOURCE_DIR)
    get_target_property(app_sources kioskgate SOURCES)
    set(twin_sources "")
    foreach(source IN LISTS app_sources)
        if(source MATCHES "\\.rc$")
            continue()
        endif()
        if(NOT IS_ABSOLUTE "${source}" AND NOT source MATCHES "^\\$<")
            set(source "${app_dir}/${source}")
        endif()
        list(APPEND twin_sources "${source}")
    endforeach()
    add_executable(kioskgate_console ${twin_sources})
    foreach(property LINK_LIBRARIES INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS)
        get_target_property(value kioskgate ${property})
        if(value)
            set_property(TARGET kioskgate_console PROPERTY ${property} "${value}")
        endif()
    endforeach()
    set_target_properties(kioskgate_console PROPERTIES
        OUTPUT_NAME kioskgate SUFFIX ".com" PDB_NAME kioskgate-console
        RUNTIME_OUTPUT_DIRECTORY "$<TARGET_FILE_DIR:kioskgate>")
    kioskgate_add_windows_resources(kioskgate_console kioskgate.com)
    add_dependencies(kioskgate_console kioskgate_icons)
    install(TARGETS kioskgate_console RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Qt's TLS backend loads the OpenSSL DLLs at run time, so no linker sees them:
# they go next to the .exe. With vcpkg they sit in <installed>/<triplet>/bin.
get_filename_component(openssl_root "${OPENSSL_INCLUDE_DIR}/.." ABSOLUTE)
file(GLOB openssl_dlls "${openssl_root}/bin/libssl-3*.dll" "${openssl_root}/bin/libcrypto-3*.dll")
if(NOT openssl_dlls)
    message(WARNING "No OpenSSL 3 DLLs under ${openssl_root}/bin: the installed console "
                    "would have no TLS. Point OPENSSL_ROOT_DIR at an OpenSSL 3 build.")
endif()
install(FILES ${openssl_dlls} DESTINATION ${CMAKE_INSTALL_BINDIR})

# Non-Qt libraries the executable links (QtKeychain, libjwt, jansson,
# libqrencode from vcpkg): resolved from the built executable at install
# time. System DLLs and Qt (windeployqt handles Qt) stay out.
set(dll_dirs "${openssl_root}/bin")
if(DEFINED VCPKG_INSTALLED_DIR AND DEFINED VCPKG_TARGET_TRIPLET)
    list(APPEND dll_dirs "${VCPKG_INSTALLED_DIR}/${VCPKG_TARGET_TRIPLET}/bin")
endif()
install(CODE "set(KIOSKGATE_INSTALL_EXE \"$<TARGET_FILE:kioskgate>\")\nset(KIOSKGATE_DLL_DIRS \"${dll_dirs}\")")
install(CODE [[
    file(GET_RUNTIME_DEPENDENCIES
        EXECUTABLES "${KIOSKGATE_INSTALL_EXE}"
        RESOLVED_DEPENDENCIES_VAR resolved
        UNRESOLVED_DEPENDENCIES_VAR unresolved
        DIRECTORIES ${KIOSKGATE_DLL_DIRS}
        PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-"
        POST_EXCLUDE_REGEXES ".*[/\\\\][Ss]ystem32[/\\\\].*" ".*[/\\\\]Qt6[^/\\\\]*\\.dll$")
    foreach(dll IN LISTS resolved)
        file(INSTALL "${dll}" DESTINATION "${CMAKE_INSTALL_PREFIX}/bin")
    endforeach()
]])
