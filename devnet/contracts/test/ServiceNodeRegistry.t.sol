// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.28;

import {SessionToken} from "../src/SessionToken.sol";
import {ServiceNodeRegistry} from "../src/ServiceNodeRegistry.sol";
import {TestBase, Vm} from "./Base.sol";

/// @notice A token whose transfers "fail" by returning false (as some ERC-20s do), to reach the
/// registry's TokenTransferFailed paths.
contract FalseReturningToken {
    bool public failTransferFrom;
    bool public failTransfer;

    function setFailures(bool transferFrom_, bool transfer_) external {
        failTransferFrom = transferFrom_;
        failTransfer = transfer_;
    }

    function transferFrom(address, address, uint256) external view returns (bool) {
        return !failTransferFrom;
    }

    function transfer(address, uint256) external view returns (bool) {
        return !failTransfer;
    }
}

contract ServiceNodeRegistryTest is TestBase {
    uint256 internal constant REQ = 25_000e9;
    uint64 internal constant DELAY = 2 days;
    uint256 internal constant FUNDS = 1_000_000e9;

    address internal constant OPERATOR = address(0x0915);
    address internal constant STRANGER = address(0x5757);
    bytes32 internal constant ED = keccak256("ed25519 one");
    bytes32 internal constant X = keccak256("x25519 one");
    uint32 internal constant IPV4 = 0x7f000001;
    uint16 internal constant HTTP = 22021;
    uint16 internal constant GRPC = 22022;

    SessionToken internal token;
    ServiceNodeRegistry internal registry;
    bytes internal sig;

    function setUp() public {
        token = new SessionToken(100_000_000e9);
        registry = new ServiceNodeRegistry(address(token), REQ, DELAY);
        sig = new bytes(64);
        for (uint256 i = 0; i < 64; ++i) sig[i] = bytes1(uint8(i + 1));
        fund(OPERATOR);
        fund(STRANGER);
        for (uint256 i = 1; i <= 12; ++i) fund(contributor(i));
    }

    // ---- helpers ----

    function contributor(uint256 i) internal pure returns (address) {
        return address(uint160(0xC0000 + i));
    }

    function fund(address who) internal {
        token.transfer(who, FUNDS);
        vm.prank(who);
        token.approve(address(registry), type(uint256).max);
    }

    function register(address op, bytes32 ed, uint256 stake) internal returns (uint64) {
        vm.prank(op);
        return registry.register(ed, X, IPV4, HTTP, GRPC, sig, stake);
    }

    function contribute(address who, uint64 id, uint256 amount) internal {
        vm.prank(who);
        registry.contribute(id, amount);
    }

    function requestExit(address who, uint64 id) internal {
        vm.prank(who);
        registry.requestExit(id);
    }

    function err(bytes4 selector) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector);
    }

    function err(bytes4 selector, uint256 a) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a);
    }

    function err(bytes4 selector, uint256 a, uint256 b) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a, b);
    }

    /// A node staked by the operator (25 %) and nine contributors, the last filling the rest.
    function fullTenContributorNode() internal returns (uint64 id) {
        id = register(OPERATOR, ED, REQ / 4);
        for (uint256 i = 1; i <= 8; ++i) contribute(contributor(i), id, 2_000e9);
        contribute(contributor(9), id, REQ - REQ / 4 - 8 * 2_000e9);
    }

    // ---- constructor and getters ----

    function testConstructorAndGetters() public view {
        assertEq(registry.token(), address(token), "token");
        assertEq(registry.stakingRequirement(), REQ, "stakingRequirement");
        assertEq(registry.unlockDelay(), DELAY, "unlockDelay");
        assertEq(registry.MAX_CONTRIBUTORS(), 10, "MAX_CONTRIBUTORS");
        assertEq(registry.operatorMinimum(), REQ / 4, "operatorMinimum");
        assertEq(registry.nodeCount(), 0, "nodeCount");
        assertEq(registry.nodeIds().length, 0, "nodeIds");
        assertEq(registry.idByEd25519(ED), 0, "idByEd25519");
    }

    function testConstructorRejectsZeroToken() public {
        expectRevert(err(ServiceNodeRegistry.ZeroTokenAddress.selector));
        new ServiceNodeRegistry(address(0), REQ, DELAY);
    }

    function testConstructorRejectsZeroRequirement() public {
        expectRevert(err(ServiceNodeRegistry.ZeroStakingRequirement.selector));
        new ServiceNodeRegistry(address(token), 0, DELAY);
    }

    function testOperatorMinimumIsAtLeastOne() public {
        ServiceNodeRegistry tiny = new ServiceNodeRegistry(address(token), 3, DELAY);
        assertEq(tiny.operatorMinimum(), 1, "minimum for a requirement of 3");
    }

    // ---- register ----

    function testRegisterFullStakeActivates() public {
        vm.roll(1234);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeRegistered(1, OPERATOR, ED, X, IPV4, HTTP, GRPC, sig, REQ);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeActivated(1);
        uint64 id = register(OPERATOR, ED, REQ);
        assertEq(id, 1, "first id");

        ServiceNodeRegistry.Node memory n = registry.getNode(id);
        assertEq(n.id, 1, "id");
        assertEq(n.operator, OPERATOR, "operator");
        assertEq(n.ed25519, ED, "ed25519");
        assertEq(n.x25519, X, "x25519");
        assertEq(n.ipv4, IPV4, "ipv4");
        assertEq(n.httpPort, HTTP, "httpPort");
        assertEq(n.grpcPort, GRPC, "grpcPort");
        assertEq(n.totalStaked, REQ, "totalStaked");
        assertEq(n.registeredBlock, 1234, "registeredBlock");
        assertEq(n.active, true, "active");
        assertEq(n.exitRequested, false, "exitRequested");
        assertEq(n.unlockTime, 0, "unlockTime");
        assertEq(n.exited, false, "exited");

        (address[] memory who, uint256[] memory amounts) = registry.getContributors(id);
        assertEq(who.length, 1, "one contributor");
        assertEq(who[0], OPERATOR, "operator is the first contributor");
        assertEq(amounts[0], REQ, "operator stake");

        assertEq(registry.idByEd25519(ED), 1, "idByEd25519");
        assertEq(registry.nodeCount(), 1, "nodeCount");
        assertEq(registry.nodeIds()[0], 1, "nodeIds");
        assertEq(token.balanceOf(address(registry)), REQ, "registry holds the stake");
        assertEq(token.balanceOf(OPERATOR), FUNDS - REQ, "operator paid");
    }

    function testRegisterPartialStakeIsNotActive() public {
        vm.recordLogs();
        uint64 id = register(OPERATOR, ED, REQ / 4);
        Vm.Log[] memory logs = logsFrom(address(registry));
        assertEq(logs.length, 1, "only NodeRegistered");
        assertEq(logs[0].topics[0], ServiceNodeRegistry.NodeRegistered.selector, "event");
        assertEq(logs[0].topics[1], bytes32(uint256(id)), "indexed id");
        assertEq(logs[0].topics[2], bytes32(uint256(uint160(OPERATOR))), "indexed operator");

        ServiceNodeRegistry.Node memory n = registry.getNode(id);
        assertEq(n.active, false, "active");
        assertEq(n.totalStaked, REQ / 4, "totalStaked");
        assertEq(registry.nodeCount(), 1, "a node awaiting contributions is live");
    }

    function testRegisterAssignsIncreasingIds() public {
        assertEq(register(OPERATOR, ED, REQ), 1, "first");
        assertEq(register(OPERATOR, keccak256("two"), REQ), 2, "second");
        assertEq(register(STRANGER, keccak256("three"), REQ / 2), 3, "third");
        assertEq(registry.nodeCount(), 3, "nodeCount");
        uint64[] memory ids = registry.nodeIds();
        assertEq(ids.length, 3, "nodeIds length");
        assertEq(ids[0] + ids[1] + ids[2], 6, "ids 1, 2, 3");
    }

    function testRegisterRejectsZeroEd25519() public {
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.ZeroKey.selector));
        registry.register(bytes32(0), X, IPV4, HTTP, GRPC, sig, REQ);
    }

    function testRegisterRejectsZeroX25519() public {
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.ZeroKey.selector));
        registry.register(ED, bytes32(0), IPV4, HTTP, GRPC, sig, REQ);
    }

    function testRegisterRejectsBadSignatureLength() public {
        uint256[3] memory lengths = [uint256(0), 63, 65];
        for (uint256 i = 0; i < lengths.length; ++i) {
            bytes memory bad = new bytes(lengths[i]);
            vm.prank(OPERATOR);
            expectRevert(err(ServiceNodeRegistry.InvalidSignatureLength.selector, lengths[i]));
            registry.register(ED, X, IPV4, HTTP, GRPC, bad, REQ);
        }
    }

    function testRegisterRejectsDuplicateLiveKey() public {
        register(OPERATOR, ED, REQ / 4);
        vm.prank(STRANGER);
        expectRevert(err(ServiceNodeRegistry.DuplicateKey.selector, uint256(ED)));
        registry.register(ED, X, IPV4, HTTP, GRPC, sig, REQ);
    }

    function testRegisterRejectsLowOperatorStake() public {
        vm.prank(OPERATOR);
        expectRevert(
            err(ServiceNodeRegistry.OperatorStakeTooLow.selector, REQ / 4 - 1, REQ / 4)
        );
        registry.register(ED, X, IPV4, HTTP, GRPC, sig, REQ / 4 - 1);
    }

    function testRegisterRejectsStakeAboveRequirement() public {
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.StakeTooHigh.selector, REQ + 1, REQ));
        registry.register(ED, X, IPV4, HTTP, GRPC, sig, REQ + 1);
    }

    function testRegisterBubblesTokenRevert() public {
        address poor = address(0x9009);
        vm.prank(poor);
        token.approve(address(registry), REQ);
        vm.prank(poor);
        expectRevert(
            abi.encodeWithSelector(SessionToken.InsufficientBalance.selector, poor, 0, REQ)
        );
        registry.register(ED, X, IPV4, HTTP, GRPC, sig, REQ);
        assertEq(registry.nodeCount(), 0, "nothing registered");
    }

    function testRegisterWithoutAllowanceReverts() public {
        address unapproved = address(0x9010);
        token.transfer(unapproved, REQ);
        vm.prank(unapproved);
        expectRevert(
            abi.encodeWithSelector(
                SessionToken.InsufficientAllowance.selector, address(registry), 0, REQ
            )
        );
        registry.register(ED, X, IPV4, HTTP, GRPC, sig, REQ);
    }

    function testRegisterRejectsFalseTransferFrom() public {
        FalseReturningToken bad = new FalseReturningToken();
        ServiceNodeRegistry r = new ServiceNodeRegistry(address(bad), REQ, DELAY);
        bad.setFailures(true, false);
        expectRevert(err(ServiceNodeRegistry.TokenTransferFailed.selector));
        r.register(ED, X, IPV4, HTTP, GRPC, sig, REQ);
    }

    // ---- contribute ----

    function testContributeEmitsAndAccumulates() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        address c = contributor(1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeContribution(id, c, 1_000e9, REQ / 4 + 1_000e9);
        contribute(c, id, 1_000e9);

        // A repeat contributor adds to its stake without taking another slot.
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeContribution(id, c, 500e9, REQ / 4 + 1_500e9);
        contribute(c, id, 500e9);
        // So does the operator.
        contribute(OPERATOR, id, 1e9);

        (address[] memory who, uint256[] memory amounts) = registry.getContributors(id);
        assertEq(who.length, 2, "two contributors");
        assertEq(who[0], OPERATOR, "operator first");
        assertEq(amounts[0], REQ / 4 + 1e9, "operator stake");
        assertEq(who[1], c, "contributor second");
        assertEq(amounts[1], 1_500e9, "contributor stake");
        assertEq(registry.getNode(id).totalStaked, REQ / 4 + 1_501e9, "totalStaked");
        assertEq(registry.getNode(id).active, false, "not active yet");
        assertEq(token.balanceOf(address(registry)), REQ / 4 + 1_501e9, "registry balance");
        assertEq(token.balanceOf(c), FUNDS - 1_500e9, "contributor paid");
    }

    function testContributionCompletingTheNodeActivates() public {
        uint64 id = register(OPERATOR, ED, REQ / 2);
        address c = contributor(1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeContribution(id, c, REQ / 2, REQ);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeActivated(id);
        contribute(c, id, REQ / 2);
        assertEq(registry.getNode(id).active, true, "active");
    }

    function testTenContributorsActivate() public {
        uint64 id = fullTenContributorNode();
        ServiceNodeRegistry.Node memory n = registry.getNode(id);
        assertEq(n.active, true, "active");
        assertEq(n.totalStaked, REQ, "fully staked");
        (address[] memory who, uint256[] memory amounts) = registry.getContributors(id);
        assertEq(who.length, registry.MAX_CONTRIBUTORS(), "ten contributors");
        uint256 sum;
        for (uint256 i = 0; i < who.length; ++i) sum += amounts[i];
        assertEq(sum, REQ, "stakes add up");
        assertEq(amounts[0], REQ / 4, "operator holds 25 %");
        assertEq(who[9], contributor(9), "last slot");
        assertEq(token.balanceOf(address(registry)), REQ, "registry balance");
    }

    function testLastSlotMustFillTheRemainder() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        for (uint256 i = 1; i <= 8; ++i) contribute(contributor(i), id, 1_000e9);
        uint256 remaining = REQ - REQ / 4 - 8 * 1_000e9;

        // A new contributor taking the tenth slot with less than the remainder is refused ...
        vm.prank(contributor(9));
        expectRevert(err(ServiceNodeRegistry.TooManyContributors.selector));
        registry.contribute(id, remaining - 1);

        // ... while existing contributors may still add any amount ...
        contribute(contributor(3), id, 1e9);
        remaining -= 1e9;

        // ... and a newcomer filling it exactly completes the node.
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeActivated(id);
        contribute(contributor(9), id, remaining);
        assertEq(registry.getNode(id).active, true, "active");

        // An eleventh contributor is refused (the node is complete).
        vm.prank(contributor(10));
        expectRevert(err(ServiceNodeRegistry.NodeAlreadyActive.selector, id));
        registry.contribute(id, 1);
    }

    function testContributeRejectsUnknownNode() public {
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 0));
        registry.contribute(0, 1e9);
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 7));
        registry.contribute(7, 1e9);
    }

    function testContributeRejectsActiveNode() public {
        uint64 id = register(OPERATOR, ED, REQ);
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.NodeAlreadyActive.selector, id));
        registry.contribute(id, 1e9);
    }

    function testContributeRejectsLeavingNode() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        requestExit(OPERATOR, id);
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.ExitAlreadyRequested.selector, id));
        registry.contribute(id, 1e9);
    }

    function testContributeRejectsExitedNode() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        requestExit(OPERATOR, id);
        vm.warp(block.timestamp + DELAY);
        registry.exit(id);
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, id));
        registry.contribute(id, 1e9);
    }

    function testContributeRejectsZeroAmount() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.ZeroAmount.selector));
        registry.contribute(id, 0);
    }

    function testContributeRejectsMoreThanRemaining() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        uint256 remaining = REQ - REQ / 4;
        vm.prank(contributor(1));
        expectRevert(err(ServiceNodeRegistry.StakeTooHigh.selector, remaining + 1, remaining));
        registry.contribute(id, remaining + 1);
    }

    function testContributeRejectsFalseTransferFrom() public {
        FalseReturningToken bad = new FalseReturningToken();
        ServiceNodeRegistry r = new ServiceNodeRegistry(address(bad), REQ, DELAY);
        uint64 id = r.register(ED, X, IPV4, HTTP, GRPC, sig, REQ / 4);
        bad.setFailures(true, false);
        expectRevert(err(ServiceNodeRegistry.TokenTransferFailed.selector));
        r.contribute(id, 1e9);
    }

    // ---- requestExit ----

    function testRequestExitByOperatorOfActiveNode() public {
        uint64 id = register(OPERATOR, ED, REQ);
        vm.warp(1_700_000_000);
        uint64 unlock = uint64(1_700_000_000) + DELAY;
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeExitRequested(id, OPERATOR, unlock);
        requestExit(OPERATOR, id);
        ServiceNodeRegistry.Node memory n = registry.getNode(id);
        assertEq(n.exitRequested, true, "exitRequested");
        assertEq(n.unlockTime, unlock, "unlockTime");
        assertEq(n.active, true, "still active until the exit");
        assertEq(registry.nodeCount(), 1, "still live");
    }

    function testRequestExitByContributorOfPendingNode() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        contribute(contributor(1), id, 1e9);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeExitRequested(
            id, contributor(1), uint64(block.timestamp) + DELAY
        );
        requestExit(contributor(1), id);
    }

    function testRequestExitRejectsNonContributor() public {
        uint64 id = register(OPERATOR, ED, REQ);
        vm.prank(STRANGER);
        expectRevert(
            abi.encodeWithSelector(ServiceNodeRegistry.NotContributor.selector, id, STRANGER)
        );
        registry.requestExit(id);
    }

    function testRequestExitRejectsSecondRequest() public {
        uint64 id = fullTenContributorNode();
        requestExit(contributor(4), id);
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.ExitAlreadyRequested.selector, id));
        registry.requestExit(id);
    }

    function testRequestExitRejectsUnknownAndExitedNodes() public {
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 1));
        registry.requestExit(1);

        uint64 id = register(OPERATOR, ED, REQ);
        requestExit(OPERATOR, id);
        vm.warp(block.timestamp + DELAY);
        registry.exit(id);
        vm.prank(OPERATOR);
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, id));
        registry.requestExit(id);
    }

    // ---- exit ----

    function testExitReturnsEveryStake() public {
        uint64 id = fullTenContributorNode();
        vm.warp(1_800_000_000);
        requestExit(contributor(2), id);
        uint64 unlock = registry.getNode(id).unlockTime;

        vm.warp(unlock - 1);
        vm.prank(STRANGER);
        expectRevert(err(ServiceNodeRegistry.StillLocked.selector, unlock));
        registry.exit(id);

        vm.warp(unlock);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeExited(id, REQ);
        vm.prank(STRANGER); // anyone may complete the exit
        registry.exit(id);

        assertEq(token.balanceOf(address(registry)), 0, "registry emptied");
        assertEq(token.balanceOf(OPERATOR), FUNDS, "operator refunded");
        for (uint256 i = 1; i <= 9; ++i) {
            assertEq(token.balanceOf(contributor(i)), FUNDS, "contributor refunded");
        }
        assertEq(token.balanceOf(STRANGER), FUNDS, "caller gets nothing");

        ServiceNodeRegistry.Node memory n = registry.getNode(id);
        assertEq(n.exited, true, "exited");
        assertEq(n.active, false, "no longer active");
        assertEq(n.totalStaked, REQ, "record kept");
        (address[] memory who,) = registry.getContributors(id);
        assertEq(who.length, 10, "contributors kept");
        assertEq(registry.nodeCount(), 0, "nodeCount");
        assertEq(registry.nodeIds().length, 0, "nodeIds");
        assertEq(registry.idByEd25519(ED), 0, "key freed");

        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, id));
        registry.exit(id);
    }

    function testExitOfPendingNodeReturnsPartialStakes() public {
        uint64 id = register(OPERATOR, ED, REQ / 4);
        contribute(contributor(1), id, 3e9);
        requestExit(OPERATOR, id);
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeExited(id, REQ / 4 + 3e9);
        registry.exit(id);
        assertEq(token.balanceOf(OPERATOR), FUNDS, "operator refunded");
        assertEq(token.balanceOf(contributor(1)), FUNDS, "contributor refunded");
    }

    function testExitRejectsWithoutRequest() public {
        uint64 id = register(OPERATOR, ED, REQ);
        expectRevert(err(ServiceNodeRegistry.ExitNotRequested.selector, id));
        registry.exit(id);
    }

    function testExitRejectsUnknownNode() public {
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 3));
        registry.exit(3);
    }

    function testExitRejectsFalseTransfer() public {
        FalseReturningToken bad = new FalseReturningToken();
        ServiceNodeRegistry r = new ServiceNodeRegistry(address(bad), REQ, DELAY);
        uint64 id = r.register(ED, X, IPV4, HTTP, GRPC, sig, REQ);
        r.requestExit(id);
        vm.warp(block.timestamp + DELAY);
        bad.setFailures(false, true);
        expectRevert(err(ServiceNodeRegistry.TokenTransferFailed.selector));
        r.exit(id);
        assertEq(r.getNode(id).exited, false, "reverted exit leaves the node live");
    }

    function testReRegistrationAfterExit() public {
        uint64 first = register(OPERATOR, ED, REQ);
        uint64 other = register(STRANGER, keccak256("other"), REQ);
        requestExit(OPERATOR, first);
        vm.warp(block.timestamp + DELAY);
        registry.exit(first);

        uint64[] memory ids = registry.nodeIds();
        assertEq(ids.length, 1, "one live node");
        assertEq(ids[0], other, "the other node moved into the freed place");

        vm.expectEmit(true, true, true, true, address(registry));
        emit ServiceNodeRegistry.NodeRegistered(3, contributor(1), ED, X, IPV4, HTTP, GRPC, sig, REQ);
        uint64 again = register(contributor(1), ED, REQ);
        assertEq(again, 3, "a fresh id, never reused");
        assertEq(registry.idByEd25519(ED), again, "key points at the new node");
        assertEq(registry.getNode(first).exited, true, "old record kept");
        assertEq(registry.getNode(again).operator, contributor(1), "new operator");
        assertEq(registry.nodeCount(), 2, "nodeCount");
    }

    // ---- views ----

    function testViewsRejectUnknownIds() public {
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 0));
        registry.getNode(0);
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 1));
        registry.getNode(1);
        expectRevert(err(ServiceNodeRegistry.NodeNotFound.selector, 1));
        registry.getContributors(1);
    }

    function testNodeIdsAfterExitsInTheMiddle() public {
        for (uint256 i = 1; i <= 5; ++i) register(contributor(i), bytes32(i), REQ);
        // Exit 2 then 1: [1,2,3,4,5] -> [1,5,3,4] -> [4,5,3].
        requestExit(contributor(2), 2);
        requestExit(contributor(1), 1);
        vm.warp(block.timestamp + DELAY);
        registry.exit(2);
        registry.exit(1);
        uint64[] memory ids = registry.nodeIds();
        assertEq(ids.length, 3, "three left");
        assertEq(ids[0], 4, "ids[0]");
        assertEq(ids[1], 5, "ids[1]");
        assertEq(ids[2], 3, "ids[2]");
        assertEq(registry.nodeCount(), 3, "nodeCount");
        // The moved ids still exit correctly.
        requestExit(contributor(4), 4);
        vm.warp(block.timestamp + DELAY);
        registry.exit(4);
        ids = registry.nodeIds();
        assertEq(ids.length, 2, "two left");
        assertEq(ids[0], 3, "ids[0] after the last moved into place");
        assertEq(ids[1], 5, "ids[1]");
    }

    function testFuzzStakesAlwaysReturned(uint256 operatorStake, uint256 split) public {
        operatorStake = REQ / 4 + operatorStake % (REQ - REQ / 4 + 1);
        uint64 id = register(OPERATOR, ED, operatorStake);
        uint256 remaining = REQ - operatorStake;
        if (remaining > 0) {
            uint256 first = 1 + split % remaining;
            contribute(contributor(1), id, first);
            if (first < remaining) contribute(contributor(2), id, remaining - first);
        }
        assertEq(registry.getNode(id).active, true, "complete");
        requestExit(OPERATOR, id);
        vm.warp(block.timestamp + DELAY);
        registry.exit(id);
        assertEq(token.balanceOf(address(registry)), 0, "registry emptied");
        assertEq(token.balanceOf(OPERATOR), FUNDS, "operator refunded");
        assertEq(token.balanceOf(contributor(1)), FUNDS, "first refunded");
        assertEq(token.balanceOf(contributor(2)), FUNDS, "second refunded");
    }
}
