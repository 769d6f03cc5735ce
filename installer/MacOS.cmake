# macOS: KioskGate.app with Info.plist and icon; macdeployqt (through
# qt_generate_deploy_app_script) copies Qt and the other libraries into it.
set(KIOSKGATE_CLIENT_INSTALL_DIR "KioskGate.app/Contents/Resources/client")
set(KIOSKGATE_BUNDLE_EXECUTABLE KioskGate)
if(CMAKE_OSX_DEPLOYMENT_TARGET)
    set(CMAKE_OSX_DEPLOYMENT_TARGET_OR_DEFAULT "${CMAKE_OSX_DEPLOYMENT_TARGET}")
else()
    set(CMAKE_OSX_DEPLOYMENT_TARGET_OR_DEFAULT "12.0")
endif()

set(plist "${CMAKE_CURRENT_BINARY_DIR}/macos/Info.plist")
configure_file("${PROJECT_SOURCE_DIR}/resources/macos/Info.plist.in" "${plist}" @ONLY)

target_sources(kioskgate PRIVATE "${KIOSKGATE_ICNS_FILE}")
set_source_files_properties("${KIOSKGATE_ICNS_FILE}" PROPERTIES
    MACOSX_PACKAGE_LOCATION Resources GENERATED TRUE)
set_target_properties(kioskgate PROPERTIES
    MACOSX_BUNDLE ON
    OUTPUT_NAME ${KIOSKGATE_BUNDLE_EXECUTABLE}
    MACOSX_BUNDLE_INFO_PLIST "${plist}")

# The command line inside the bundle, for Terminal users and scripts:
#   /Applications/KioskGate.app/Contents/MacOS/KioskGate token list
# (docs/install.md suggests a symlink named kioskgate on PATH).
