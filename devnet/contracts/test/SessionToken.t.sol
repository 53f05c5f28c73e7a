// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.28;

import {SessionToken} from "../src/SessionToken.sol";
import {TestBase, Vm} from "./Base.sol";

contract SessionTokenTest is TestBase {
    uint256 internal constant SUPPLY = 240_000_000e9;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    SessionToken internal token;

    function setUp() public {
        token = new SessionToken(SUPPLY);
    }

    function testMetadata() public view {
        assertEq(token.name(), "Session Token", "name");
        assertEq(token.symbol(), "SESH", "symbol");
        assertEq(token.decimals(), 9, "decimals");
        assertEq(token.totalSupply(), SUPPLY, "totalSupply");
        assertEq(token.balanceOf(address(this)), SUPPLY, "deployer balance");
        assertEq(token.balanceOf(ALICE), 0, "other balance");
    }

    function testConstructorMintsToDeployerWithTransferEvent() public {
        vm.expectEmit(true, true, true, true);
        emit SessionToken.Transfer(address(0), ALICE, 7);
        vm.prank(ALICE);
        SessionToken other = new SessionToken(7);
        assertEq(other.balanceOf(ALICE), 7, "minted to deployer");
        assertEq(other.totalSupply(), 7, "supply");
    }

    function testTransfer() public {
        vm.expectEmit(true, true, true, true, address(token));
        emit SessionToken.Transfer(address(this), ALICE, 100);
        assertTrue(token.transfer(ALICE, 100), "returns true");
        assertEq(token.balanceOf(ALICE), 100, "recipient");
        assertEq(token.balanceOf(address(this)), SUPPLY - 100, "sender");
        assertEq(token.totalSupply(), SUPPLY, "supply unchanged");
    }

    function testTransferToSelfKeepsBalance() public {
        assertTrue(token.transfer(address(this), 5), "returns true");
        assertEq(token.balanceOf(address(this)), SUPPLY, "balance");
    }

    function testTransferZeroAmount() public {
        vm.prank(ALICE);
        assertTrue(token.transfer(BOB, 0), "zero transfer from an empty account");
        assertEq(token.balanceOf(BOB), 0, "recipient");
    }

    function testTransferInsufficientBalance() public {
        token.transfer(ALICE, 10);
        vm.prank(ALICE);
        expectRevert(abi.encodeWithSelector(SessionToken.InsufficientBalance.selector, ALICE, 10, 11));
        token.transfer(BOB, 11);
    }

    function testTransferToZeroAddress() public {
        expectRevert(abi.encodeWithSelector(SessionToken.ZeroAddress.selector));
        token.transfer(address(0), 1);
    }

    function testApprove() public {
        vm.expectEmit(true, true, true, true, address(token));
        emit SessionToken.Approval(address(this), ALICE, 500);
        assertTrue(token.approve(ALICE, 500), "returns true");
        assertEq(token.allowance(address(this), ALICE), 500, "allowance");
        token.approve(ALICE, 3);
        assertEq(token.allowance(address(this), ALICE), 3, "overwritten");
    }

    function testApproveZeroSpender() public {
        expectRevert(abi.encodeWithSelector(SessionToken.ZeroAddress.selector));
        token.approve(address(0), 1);
    }

    function testTransferFromDecrementsAllowance() public {
        token.approve(ALICE, 500);
        vm.expectEmit(true, true, true, true, address(token));
        emit SessionToken.Approval(address(this), ALICE, 300);
        vm.expectEmit(true, true, true, true, address(token));
        emit SessionToken.Transfer(address(this), BOB, 200);
        vm.prank(ALICE);
        assertTrue(token.transferFrom(address(this), BOB, 200), "returns true");
        assertEq(token.allowance(address(this), ALICE), 300, "allowance left");
        assertEq(token.balanceOf(BOB), 200, "recipient");
        assertEq(token.balanceOf(address(this)), SUPPLY - 200, "owner");
    }

    function testTransferFromUnlimitedAllowanceIsNotDecremented() public {
        token.approve(ALICE, type(uint256).max);
        vm.recordLogs();
        vm.prank(ALICE);
        token.transferFrom(address(this), BOB, 200);
        assertEq(token.allowance(address(this), ALICE), type(uint256).max, "still unlimited");
        Vm.Log[] memory logs = logsFrom(address(token));
        assertEq(logs.length, 1, "only the Transfer event");
        assertEq(logs[0].topics[0], SessionToken.Transfer.selector, "Transfer");
    }

    function testTransferFromInsufficientAllowance() public {
        token.approve(ALICE, 99);
        vm.prank(ALICE);
        expectRevert(
            abi.encodeWithSelector(SessionToken.InsufficientAllowance.selector, ALICE, 99, 100)
        );
        token.transferFrom(address(this), BOB, 100);
    }

    function testTransferFromInsufficientBalance() public {
        token.transfer(ALICE, 10);
        vm.prank(ALICE);
        token.approve(address(this), 1000);
        expectRevert(abi.encodeWithSelector(SessionToken.InsufficientBalance.selector, ALICE, 10, 11));
        token.transferFrom(ALICE, BOB, 11);
    }

    function testTransferFromToZeroAddress() public {
        token.approve(ALICE, 10);
        vm.prank(ALICE);
        expectRevert(abi.encodeWithSelector(SessionToken.ZeroAddress.selector));
        token.transferFrom(address(this), address(0), 1);
    }

    function testFuzzTransferConservesSupply(address to, uint256 amount) public {
        vm.assume(to != address(0) && to != address(this));
        amount = amount % (SUPPLY + 1);
        token.transfer(to, amount);
        assertEq(token.balanceOf(to) + token.balanceOf(address(this)), SUPPLY, "conserved");
    }
}
