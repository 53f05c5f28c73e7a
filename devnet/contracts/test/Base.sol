// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.28;

/// @notice The few forge cheatcodes these tests use (declared here instead of depending on a
/// test library).
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool topic1, bool topic2, bool topic3, bool data) external;
    function expectEmit(bool topic1, bool topic2, bool topic3, bool data, address emitter)
        external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function toString(uint256 value) external pure returns (string memory);
    function toString(address value) external pure returns (string memory);
    function toString(bytes32 value) external pure returns (string memory);
    function assume(bool condition) external pure;
}

/// @notice Cheatcode handle and assertions shared by the test contracts.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function assertTrue(bool condition, string memory what) internal pure {
        require(condition, what);
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(
                string.concat(what, ": ", vm.toString(actual), " != ", vm.toString(expected))
            );
        }
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        if (actual != expected) {
            revert(
                string.concat(what, ": ", vm.toString(actual), " != ", vm.toString(expected))
            );
        }
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(
                string.concat(what, ": ", vm.toString(actual), " != ", vm.toString(expected))
            );
        }
    }

    function assertEq(bool actual, bool expected, string memory what) internal pure {
        require(actual == expected, string.concat(what, expected ? ": not true" : ": not false"));
    }

    function assertEq(string memory actual, string memory expected, string memory what)
        internal
        pure
    {
        require(
            keccak256(bytes(actual)) == keccak256(bytes(expected)),
            string.concat(what, ": '", actual, "' != '", expected, "'")
        );
    }

    /// @dev Expects the next call to revert with exactly `revertData`.
    function expectRevert(bytes memory revertData) internal {
        vm.expectRevert(revertData);
    }

    /// @dev The logs recorded since `vm.recordLogs()` that `emitter` emitted.
    function logsFrom(address emitter) internal returns (Vm.Log[] memory out) {
        Vm.Log[] memory all = vm.getRecordedLogs();
        uint256 n;
        for (uint256 i = 0; i < all.length; ++i) {
            if (all[i].emitter == emitter) ++n;
        }
        out = new Vm.Log[](n);
        n = 0;
        for (uint256 i = 0; i < all.length; ++i) {
            if (all[i].emitter == emitter) out[n++] = all[i];
        }
    }
}
