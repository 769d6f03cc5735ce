# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): runs after the files are
# staged and before the package is made, so what gets packed is signed.
# Does nothing unless the CI workflow provides signing material:
#   Windows: KIOSKGATE_SIGN_PFX (path to a .pfx) and KIOSKGATE_SIGN_PASSWORD
#   macOS:   KIOSKGATE_CODESIGN_IDENTITY ("Developer ID Application: ...")
set(stage "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(DEFINED ENV{KIOSKGATE_SIGN_PFX} AND NOT "$ENV{KIOSKGATE_SIGN_PFX}" STREQUAL "")
    find_program(signtool signtool REQUIRED)
    file(GLOB_RECURSE binaries "${stage}/*.exe" "${stage}/*.com" "${stage}/*.dll")
    foreach(binary IN LISTS binaries)
        execute_process(COMMAND "${signtool}" sign /fd SHA256 /td SHA256
                                /tr http://timestamp.digicert.com
                                /f "$ENV{KIOSKGATE_SIGN_PFX}" /p "$ENV{KIOSKGATE_SIGN_PASSWORD}"
                                "${binary}"
                        COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
    list(LENGTH binaries count)
    message(STATUS "signed ${count} Windows binaries")
elseif(DEFINED ENV{KIOSKGATE_CODESIGN_IDENTITY} AND NOT "$ENV{KIOSKGATE_CODESIGN_IDENTITY}" STREQUAL "")
    file(GLOB_RECURSE bundles LIST_DIRECTORIES true "${stage}/*.app")
    list(FILTER bundles INCLUDE REGEX "\\.app$")
    foreach(bundle IN LISTS bundles)
        # Hardened runtime and a secure time stamp: both required for notarization.
        execute_process(COMMAND codesign --force --deep --options runtime --timestamp
                                --sign "$ENV{KIOSKGATE_CODESIGN_IDENTITY}" "${bundle}"
                        COMMAND_ERROR_IS_FATAL ANY)
        execute_process(COMMAND codesign --verify --deep --strict --verbose=2 "${bundle}"
                        COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
else()
    message(STATUS "no signing material in the environment: packaging unsigned files")
endif()
